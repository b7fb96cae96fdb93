/* classify: RAG and rules severity, and the LLM's question and answer. */
#include "classify.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *sev_names[] = { NULL, "LOW", "MEDIUM", "HIGH" };

const char *
classify_sev_name(enum severity s)
{
	return s >= SEV_LOW && s <= SEV_HIGH ? sev_names[s] : NULL;
}

enum severity
classify_sev_parse(const char *s)
{
	for (int i = SEV_LOW; s && i <= SEV_HIGH; i++)
		if (strcasecmp(s, sev_names[i]) == 0)
			return (enum severity)i;
	return SEV_NONE;
}

static int
is_bullet_start(const char *p)
{
	if (*p == '-' || *p == '*' || *p == '+')
		return p[1] == ' ';
	if (isdigit((unsigned char)*p)) {
		while (isdigit((unsigned char)*p))
			p++;
		return (*p == '.' || *p == ')') && p[1] == ' ';
	}
	return 0;
}

static void
add_step(json_t *steps, const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n)
		json_array_append_new(steps, json_stringn(s, n));
}

json_t *
classify_steps(const char *text)
{
	json_t *steps = json_array();
	const char *p = text, *start = NULL;
	int bullets = 0;

	if (!text)
		return steps;
	/* Numbered or bulleted lines are the author's own steps. */
	for (const char *l = text; l && *l; l = strchr(l, '\n') ?
	    strchr(l, '\n') + 1 : NULL) {
		while (*l == ' ' || *l == '\t')
			l++;
		if (is_bullet_start(l))
			bullets++;
	}
	if (bullets >= 1) {
		for (const char *l = text; l && *l;) {
			const char *nl = strchr(l, '\n');
			const char *s = l;
			while (*s == ' ' || *s == '\t')
				s++;
			if (is_bullet_start(s)) {
				if (start)
					add_step(steps, start, (size_t)(l -
					    start));
				while (*s && *s != ' ')
					s++;
				start = s;
			}
			l = nl ? nl + 1 : NULL;
		}
		if (start)
			add_step(steps, start, strlen(start));
		return steps;
	}
	/* Else sentences. */
	start = p;
	for (; *p; p++) {
		if ((*p == '.' || *p == '!' || *p == '?') &&
		    (p[1] == ' ' || p[1] == '\n' || p[1] == '\0')) {
			add_step(steps, start, (size_t)(p - start + 1));
			start = p + 1;
		} else if (*p == '\n' && p[1] == '\n') {
			add_step(steps, start, (size_t)(p - start));
			start = p + 1;
		}
	}
	add_step(steps, start, strlen(start));
	return steps;
}

json_t *
classify_rag(const json_t *rec, double threshold)
{
	const json_t *matches = json_object_get(rec, "matches");
	double sum[4] = { 0 }, best = -2;
	const json_t *m, *decider = NULL;
	enum severity won = SEV_NONE;
	size_t i;
	json_t *c;

	json_array_foreach(matches, i, m) {
		double s = json_number_value(json_object_get(m, "score"));
		enum severity sev = classify_sev_parse(json_string_value(
		    json_object_get(m, "severity")));
		if (s > best)
			best = s;
		if (s >= threshold && sev != SEV_NONE)
			sum[sev] += s;
	}
	for (int s = SEV_HIGH; s >= SEV_LOW; s--)	/* ties: more severe */
		if (sum[s] > 0 && (won == SEV_NONE || sum[s] > sum[won]))
			won = (enum severity)s;
	if (won == SEV_NONE)
		return NULL;
	/* The best match of the winning severity decides the advice. */
	json_array_foreach(matches, i, m) {
		if (json_number_value(json_object_get(m, "score")) >=
		    threshold && classify_sev_parse(json_string_value(
		    json_object_get(m, "severity"))) == won) {
			decider = m;
			break;
		}
	}
	c = json_pack("{s:s, s:f, s:s, s:o}", "severity",
	    classify_sev_name(won), "confidence", best, "method", "rag",
	    "suggestions", classify_steps(json_string_value(json_object_get(
	    decider, "resolution"))));
	if (json_is_string(json_object_get(decider, "id")))
		json_object_set(c, "document", json_object_get(decider, "id"));
	return c;
}

struct rule {
	enum severity sev;
	double confidence;
	regex_t re;
	int line;
};

struct classify_rules {
	struct rule *r;
	size_t n;
	char *path;
};

struct classify_rules *
classify_rules_load(const char *path, char *why, size_t whylen)
{
	struct classify_rules *rs = calloc(1, sizeof *rs);
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, alloc = 0;
	int lineno = 0;

	if (!rs || !f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		free(rs);
		if (f)
			fclose(f);
		return NULL;
	}
	rs->path = strdup(path);
	while (getline(&line, &cap, f) >= 0) {
		char sev[16], *p = line, *end;
		double conf;
		int rc;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		if (sscanf(p, "%15s", sev) != 1 ||
		    classify_sev_parse(sev) == SEV_NONE) {
			snprintf(why, whylen, "%s: line %d: severity must be "
			    "LOW, MEDIUM or HIGH", path, lineno);
			goto fail;
		}
		p += strlen(sev);
		conf = strtod(p, &end);
		if (end == p || conf < 0 || conf > 1) {
			snprintf(why, whylen, "%s: line %d: confidence must "
			    "be 0..1", path, lineno);
			goto fail;
		}
		p = end;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p) {
			snprintf(why, whylen, "%s: line %d: no pattern", path,
			    lineno);
			goto fail;
		}
		if (rs->n == alloc) {
			alloc = alloc ? alloc * 2 : 32;
			struct rule *nr = realloc(rs->r, alloc * sizeof *nr);
			if (!nr)
				goto fail;
			rs->r = nr;
		}
		struct rule *r = &rs->r[rs->n];
		if ((rc = regcomp(&r->re, p, REG_EXTENDED | REG_ICASE |
		    REG_NOSUB)) != 0) {
			char msg[128];
			regerror(rc, &r->re, msg, sizeof msg);
			snprintf(why, whylen, "%s: line %d: %s", path, lineno,
			    msg);
			goto fail;
		}
		r->sev = classify_sev_parse(sev);
		r->confidence = conf;
		r->line = lineno;
		rs->n++;
	}
	free(line);
	fclose(f);
	return rs;
fail:
	free(line);
	fclose(f);
	classify_rules_free(rs);
	return NULL;
}

void
classify_rules_free(struct classify_rules *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		regfree(&rs->r[i].re);
	free(rs->r);
	free(rs->path);
	free(rs);
}

/* A metadata value as text, from metadata or the alert's labels. */
static const char *
signal(const json_t *rec, const char *const *keys)
{
	const json_t *meta = json_object_get(rec, "metadata");
	const json_t *labels = json_object_get(json_object_get(meta, "alert"),
	    "labels");

	/* The alert's own label first: it is what the monitor decided. */
	for (int i = 0; keys[i]; i++) {
		const char *v = json_string_value(json_object_get(labels,
		    keys[i]));
		if (!v)
			v = json_string_value(json_object_get(meta, keys[i]));
		if (v)
			return v;
	}
	return NULL;
}

json_t *
classify_rules(const struct classify_rules *rs, const json_t *rec)
{
	static const char *sev_keys[] = { "severity", NULL };
	static const char *env_keys[] = { "environment", "env", NULL };
	const char *title = json_string_value(json_object_get(rec, "title"));
	const char *desc = json_string_value(json_object_get(rec,
	    "description"));
	enum severity sev = SEV_MEDIUM;
	double conf = 0.3;
	char reason[512], *text;
	size_t n;
	const char *v;

	snprintf(reason, sizeof reason, "no rule matched");
	n = (title ? strlen(title) : 0) + (desc ? strlen(desc) : 0) + 2;
	if ((text = malloc(n)) != NULL) {
		snprintf(text, n, "%s\n%s", title ? title : "",
		    desc ? desc : "");
		for (size_t i = 0; rs && i < rs->n; i++) {
			if (regexec(&rs->r[i].re, text, 0, NULL, 0) == 0) {
				sev = rs->r[i].sev;
				conf = rs->r[i].confidence;
				snprintf(reason, sizeof reason, "rule %s:%d",
				    rs->path, rs->r[i].line);
				break;
			}
		}
		free(text);
	}
	/* What the sender says outranks what the words suggest. */
	if ((v = signal(rec, sev_keys)) != NULL) {
		enum severity s = SEV_NONE;
		if (!strcasecmp(v, "critical") || !strcasecmp(v, "page") ||
		    !strcasecmp(v, "error") || !strcasecmp(v, "high"))
			s = SEV_HIGH;
		else if (!strcasecmp(v, "warning") || !strcasecmp(v, "warn") ||
		    !strcasecmp(v, "medium"))
			s = SEV_MEDIUM;
		else if (!strcasecmp(v, "info") || !strcasecmp(v, "none") ||
		    !strcasecmp(v, "low"))
			s = SEV_LOW;
		if (s != SEV_NONE) {
			sev = s;
			conf = s == SEV_HIGH ? 0.85 : 0.75;
			snprintf(reason, sizeof reason, "alert severity %.64s",
			    v);
		}
	}
	if ((v = signal(rec, env_keys)) != NULL && sev < SEV_MEDIUM &&
	    (!strcasecmp(v, "production") || !strcasecmp(v, "prod"))) {
		sev = SEV_MEDIUM;
		snprintf(reason + strlen(reason), sizeof reason -
		    strlen(reason), "; raised: environment %s", v);
	}
	const json_t *au = json_object_get(json_object_get(rec, "metadata"),
	    "affected_users");
	if (json_is_number(au)) {
		double users = json_number_value(au);
		enum severity s = users >= 1000 ? SEV_HIGH : users >= 100 ?
		    SEV_MEDIUM : SEV_NONE;
		if (s > sev) {
			sev = s;
			snprintf(reason + strlen(reason), sizeof reason -
			    strlen(reason), "; raised: %.0f affected users",
			    users);
		}
	}
	return json_pack("{s:s, s:f, s:s, s:[], s:s}", "severity",
	    classify_sev_name(sev), "confidence", conf, "method", "rules",
	    "suggestions", "reason", reason);
}

json_t *
classify_schema(void)
{
	return json_pack("{s:s, s:{s:{s:s, s:[s,s,s]}, s:{s:s}, s:{s:s},"
	    " s:{s:s, s:{s:s}}}, s:[s,s,s,s], s:b}",
	    "type", "object", "properties",
	    "severity", "type", "string", "enum", "LOW", "MEDIUM", "HIGH",
	    "confidence", "type", "number",
	    "summary", "type", "string",
	    "suggestions", "type", "array", "items", "type", "string",
	    "required", "severity", "confidence", "summary", "suggestions",
	    "additionalProperties", 0);
}

char *
classify_prompt(const json_t *rec, int max_matches)
{
	static const char *keys[] = { "title", "description", "type",
	    "source", "reported_at" };
	json_t *inc = json_object(), *ctx = json_array(), *m;
	const json_t *meta = json_object_get(rec, "metadata");
	size_t i;
	char *a, *b, *out;

	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
		if (json_object_get(rec, keys[k]))
			json_object_set(inc, keys[k],
			    json_object_get(rec, keys[k]));
	/* The metadata that matters: an alert's labels and annotations, and
	 * the sender's own fields, not links and fingerprints. */
	if (json_is_object(meta)) {
		json_t *mm = json_deep_copy(meta);
		json_t *al = json_object_get(mm, "alert");
		if (json_is_object(al)) {
			static const char *noise[] = { "generatorURL",
			    "silenceURL", "dashboardURL", "panelURL",
			    "fingerprint", "values", NULL };
			for (int n = 0; noise[n]; n++)
				json_object_del(al, noise[n]);
		}
		json_object_del(mm, "externalURL");
		json_object_del(mm, "groupKey");
		json_object_set_new(inc, "metadata", mm);
	}
	json_array_foreach(json_object_get(rec, "matches"), i, m) {
		if ((int)i >= max_matches)
			break;
		json_array_append_new(ctx, json_pack("{s:O?, s:O?, s:O?, s:O?,"
		    " s:O?}", "document", json_object_get(m, "id"), "title",
		    json_object_get(m, "title"), "severity",
		    json_object_get(m, "severity"), "similarity",
		    json_object_get(m, "score"), "resolution",
		    json_object_get(m, "resolution")));
	}
	a = json_dumps(inc, JSON_INDENT(1));
	b = json_dumps(ctx, JSON_INDENT(1));
	if (a && b && asprintf(&out, "Incident:\n%s\n\nSimilar known "
	    "problems from the knowledge base (may be unrelated):\n%s\n", a,
	    b) < 0)
		out = NULL;
	if (!a || !b)
		out = NULL;
	free(a);
	free(b);
	json_decref(inc);
	json_decref(ctx);
	return out;
}

json_t *
classify_answer(const char *content, char *why, size_t whylen)
{
	json_error_t e;
	json_t *v, *s, *c, *sum, *sug, *x;
	size_t i;

	if (!content) {
		snprintf(why, whylen, "answer has no message content");
		return NULL;
	}
	if (!(v = json_loads(content, 0, &e)) || !json_is_object(v)) {
		snprintf(why, whylen, "answer is not a JSON object");
		json_decref(v);
		return NULL;
	}
	s = json_object_get(v, "severity");
	c = json_object_get(v, "confidence");
	sum = json_object_get(v, "summary");
	sug = json_object_get(v, "suggestions");
	if (!json_is_string(s) || classify_sev_parse(json_string_value(s)) ==
	    SEV_NONE || strcmp(json_string_value(s), classify_sev_name(
	    classify_sev_parse(json_string_value(s)))) != 0) {
		snprintf(why, whylen, "answer outside the schema: severity");
		goto bad;
	}
	if (!json_is_number(c) || json_number_value(c) < 0 ||
	    json_number_value(c) > 1) {
		snprintf(why, whylen, "answer outside the schema: confidence");
		goto bad;
	}
	if (!json_is_string(sum)) {
		snprintf(why, whylen, "answer outside the schema: summary");
		goto bad;
	}
	if (!json_is_array(sug)) {
		snprintf(why, whylen, "answer outside the schema: suggestions");
		goto bad;
	}
	json_array_foreach(sug, i, x) {
		if (!json_is_string(x)) {
			snprintf(why, whylen, "answer outside the schema: "
			    "suggestions");
			goto bad;
		}
	}
	json_t *out = json_pack("{s:O, s:f, s:O, s:O}", "severity", s,
	    "confidence", json_number_value(c), "summary", sum, "suggestions",
	    sug);
	json_decref(v);
	return out;
bad:
	json_decref(v);
	return NULL;
}
