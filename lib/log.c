/* log: messages on stderr, text or JSON lines, secrets redacted. */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "config.h"
#include "rfc3339.h"

static const char *prog = "inc";
static int json_format;
static enum log_level max_level = LOG_LVL_INFO;

static const char *level_names[] = { "error", "warning", "info", "debug" };

static void
set_from(const char *f, const char *l)
{
	json_format = f && strcmp(f, "json") == 0;
	if (l) {
		for (int i = 0; i < 4; i++)
			if (strcasecmp(l, level_names[i]) == 0)
				max_level = (enum log_level)i;
	}
}

void
log_init(const char *progname)
{
	prog = progname;
	set_from(getenv("INC_LOG_FORMAT"), getenv("INC_LOG_LEVEL"));
}

void
log_configure(void)
{
	set_from(config_get("INC_LOG_FORMAT", NULL),
	    config_get("INC_LOG_LEVEL", NULL));
}

const char *
log_prog(void)
{
	return prog;
}

/* Overwrite s[0..n) with one '*' and close the gap so the string shrinks. */
static void
mask(char *s, size_t n)
{
	if (n == 0)
		return;
	s[0] = '*';
	memmove(s + 1, s + n, strlen(s + n) + 1);
}

static int
tokchar(int c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' ||
	    c == '+' || c == '=' || c == '~';
}

/*
 * Secrets are recognised by what precedes them (a scheme word or a query
 * key) or by their own vendor prefix; the value runs to the next character
 * that cannot be part of a token.
 */
void
log_redact(char *s)
{
	/* Authorization schemes and query keys are matched as written, and
	 * only as whole words ("KEY=value" in a message is no key); a
	 * scheme's value shorter than 8 characters is an ordinary word
	 * ("token near", "Basic auth"), not a credential. */
	static const struct { const char *word; int query; } after[] = {
		{ "Bearer ", 0 }, { "Basic ", 0 }, { "Token ", 0 },
		{ "token=", 1 }, { "key=", 1 }, { "password=", 1 },
		{ "secret=", 1 }, { "AuthToken=", 1 }, { "api_key=", 1 },
		{ "access_token=", 1 }, { NULL, 0 } };
	static const char *prefixes[] = { "xoxb-", "xoxp-", "xapp-", "gsk_",
	    "sk-", NULL };

	for (int i = 0; after[i].word; i++) {
		size_t al = strlen(after[i].word);
		char *p = s;
		while ((p = strstr(p, after[i].word)) != NULL) {
			char *v = p + al;
			size_t n = 0;
			if (p > s && (isalnum((unsigned char)p[-1]) ||
			    p[-1] == '_')) {
				p = v;
				continue;
			}
			while (tokchar((unsigned char)v[n]))
				n++;
			if (n >= 8 || (after[i].query && n > 0)) {
				mask(v, n);
				n = 1;
			}
			p = v + n;
		}
	}
	for (int i = 0; prefixes[i]; i++) {
		size_t pl = strlen(prefixes[i]);
		for (char *p = s; (p = strstr(p, prefixes[i])) != NULL;) {
			size_t n = 0;
			if (p > s && tokchar((unsigned char)p[-1])) {
				p += pl;
				continue;
			}
			while (tokchar((unsigned char)p[pl + n]))
				n++;
			if (n < 8) {	/* "sk-" inside ordinary words */
				p += pl;
				continue;
			}
			mask(p + pl, n);
			p += pl + 1;
		}
	}
	/* Phone numbers: "+" then 8 or more digits keeps only the last 4. */
	for (char *p = s; (p = strchr(p, '+')) != NULL; p++) {
		size_t n = 0;
		while (isdigit((unsigned char)p[1 + n]))
			n++;
		if (n >= 8) {
			memset(p + 1, '*', n - 4);
			p += n;
		}
	}
}

void
log_msg(enum log_level lvl, const char *id, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	if (lvl > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	log_redact(buf);

	if (json_format) {
		char at[40];
		json_t *o = json_object();
		char *line;

		rfc3339_now(at, sizeof at);
		json_object_set_new(o, "at", json_string(at));
		json_object_set_new(o, "prog", json_string(prog));
		json_object_set_new(o, "level",
		    json_string(level_names[lvl]));
		if (id)
			json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "msg", json_string(buf));
		line = json_dumps(o, JSON_COMPACT);
		if (line)
			fprintf(stderr, "%s\n", line);
		free(line);
		json_decref(o);
		return;
	}
	if (id)
		fprintf(stderr, "%s: %s%s: %s\n", prog,
		    lvl == LOG_LVL_WARN ? "warning: " : "", id, buf);
	else
		fprintf(stderr, "%s: %s%s\n", prog,
		    lvl == LOG_LVL_WARN ? "warning: " : "", buf);
}
