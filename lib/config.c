/* config: flags > environment > KEY=value files. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct setting {
	char *key;
	char *value;
	int from_flag;
	struct setting *next;
};

static struct setting *settings;

static struct setting *
find(const char *key)
{
	for (struct setting *s = settings; s; s = s->next)
		if (strcmp(s->key, key) == 0)
			return s;
	return NULL;
}

static void
put(const char *key, const char *value, int from_flag)
{
	struct setting *s = find(key);

	if (s) {
		if (s->from_flag && !from_flag)
			return;
		free(s->value);
	} else {
		s = calloc(1, sizeof *s);
		if (!s)
			abort();
		s->key = strdup(key);
		s->next = settings;
		settings = s;
	}
	s->value = strdup(value);
	if (!s->key || !s->value)
		abort();
	s->from_flag = from_flag;
}

void
config_set(const char *key, const char *value)
{
	put(key, value, 1);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
valid_key(const char *k)
{
	if (!*k || isdigit((unsigned char)*k))
		return 0;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	return 1;
}

static int
read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;

	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *k, *v, *eq;
		lineno++;
		k = trim(line);
		if (*k == '\0' || *k == '#' || *k == ';')
			continue;
		if (strncmp(k, "export ", 7) == 0)
			k = trim(k + 7);
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s: line %d: expected KEY=value",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (!valid_key(k)) {
			snprintf(err, errlen, "%s: line %d: bad key '%s'",
			    path, lineno, k);
			rc = -1;
			break;
		}
		size_t vl = strlen(v);
		if (vl >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[vl - 1] == v[0]) {
			v[vl - 1] = '\0';
			v++;
		}
		/* The environment beats files: don't shadow what it sets. */
		if (getenv(k) == NULL)
			put(k, v, 0);
	}
	free(line);
	if (ferror(f) && rc == 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}

int
config_load(char *err, size_t errlen)
{
	const char *one = getenv("INC_CONFIG");
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char path[PATH_MAX];

	/* A file named on purpose must be there: a typo is an error. */
	if (one && *one) {
		if (strcmp(one, "/dev/null") != 0 && access(one, R_OK) < 0) {
			snprintf(err, errlen, "INC_CONFIG: %s: %s", one,
			    strerror(errno));
			return -1;
		}
		return read_file(one, err, errlen);
	}
	if (read_file("/etc/inc/inc.conf", err, errlen) < 0)
		return -1;
	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/inc/inc.conf", xdg);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.config/inc/inc.conf", home);
	else
		path[0] = '\0';
	if (path[0] && read_file(path, err, errlen) < 0)
		return -1;
	return read_file(".env", err, errlen);
}

const char *
config_get(const char *key, const char *def)
{
	struct setting *s = find(key);
	const char *v;

	if (s && s->from_flag)
		return *s->value ? s->value : def;
	v = getenv(key);
	if (v && *v)
		return v;
	if (s && *s->value)
		return s->value;
	return def;
}

int
config_long(const char *key, long def, long min, long max, long *out,
    char *err, size_t errlen)
{
	const char *v = config_get(key, NULL);
	char *end;
	long n;

	if (!v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	/* Allow the K/M suffixes people write for sizes (INC_MAX_LINE=4M). */
	if (end != v && (*end == 'K' || *end == 'k') && end[1] == '\0') {
		n *= 1024;
		end++;
	} else if (end != v && (*end == 'M' || *end == 'm') &&
	    end[1] == '\0') {
		n *= 1024 * 1024;
		end++;
	}
	if (errno || end == v || *end != '\0' || n < min || n > max) {
		snprintf(err, errlen, "%s: must be a number in %ld..%ld", key,
		    min, max);
		return -1;
	}
	*out = n;
	return 0;
}

#ifndef INC_SHAREDIR
#define INC_SHAREDIR "/usr/local/share/inc"
#endif

char *
config_share_path(const char *rel, char *out, size_t len)
{
	const char *dir = config_get("INC_SHARE_DIR", NULL);
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (dir) {
		snprintf(out, len, "%s/%s", dir, rel);
		return out;
	}
	/* build/bin/inc-X (or build/sanitize/bin/inc-X) in a source tree:
	 * the tree's share/inc, so tests and `make run` need no install. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		for (int up = 0; up < 4 && (slash = strrchr(exe, '/')); up++) {
			*slash = '\0';
			snprintf(out, len, "%s/share/inc/%s", exe, rel);
			if (access(out, R_OK) == 0)
				return out;
		}
	}
	snprintf(out, len, "%s/%s", INC_SHAREDIR, rel);
	return out;
}

const char *
config_state_dir(void)
{
	static char dir[PATH_MAX];
	const char *v = config_get("INC_STATE_DIR", NULL);
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	if (v)
		return v;
	if (dir[0])
		return dir;
	if (xdg && *xdg)
		snprintf(dir, sizeof dir, "%s/inc", xdg);
	else if (home && *home)
		snprintf(dir, sizeof dir, "%s/.local/state/inc", home);
	else
		snprintf(dir, sizeof dir, "/var/lib/inc");
	return dir;
}
