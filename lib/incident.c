/* incident: validate reports and fill in inc-ingest's keys. */
#include "incident.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "id.h"
#include "jscan.h"
#include "rfc3339.h"

int
incident_limits_load(struct incident_limits *l, char *err, size_t errlen)
{
	long d, t;

	if (config_long("INC_MAX_DESCRIPTION", 64 * 1024, 1, 1L << 30, &d,
	    err, errlen) < 0 ||
	    config_long("INC_MAX_TITLE", 512, 1, 1L << 20, &t, err,
	    errlen) < 0)
		return -1;
	l->description = (size_t)d;
	l->title = (size_t)t;
	return 0;
}

static int
blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* An optional string field: absent is fine, anything else must be one. */
static int
check_str(const json_t *rec, const char *key, size_t max, char *why,
    size_t whylen)
{
	const json_t *v = json_object_get(rec, key);

	if (!v)
		return 0;
	if (!json_is_string(v)) {
		snprintf(why, whylen, "%s is not a string", key);
		return -1;
	}
	if (max && json_string_length(v) > max) {
		snprintf(why, whylen, "%s is longer than %zu bytes", key, max);
		return -1;
	}
	return 0;
}

int
incident_check(const json_t *rec, const struct incident_limits *l,
    char *why, size_t whylen)
{
	const json_t *v;
	const char *kind;

	if (!json_is_object(rec)) {
		snprintf(why, whylen, "not an object");
		return -1;
	}
	if ((v = json_object_get(rec, "id")) != NULL) {
		if (!json_is_string(v)) {
			snprintf(why, whylen, "id is not a string");
			return -1;
		}
		if (!id_valid(json_string_value(v))) {
			snprintf(why, whylen,
			    "id must match [A-Za-z0-9._:-]{1,128}");
			return -1;
		}
	}
	if ((v = json_object_get(rec, "kind")) != NULL) {
		kind = json_string_value(v);
		if (!kind || (strcmp(kind, "incident") != 0 &&
		    strcmp(kind, "kb") != 0)) {
			snprintf(why, whylen,
			    "kind must be \"incident\" or \"kb\"");
			return -1;
		}
	}
	if (check_str(rec, "title", l->title, why, whylen) < 0 ||
	    check_str(rec, "type", 256, why, whylen) < 0 ||
	    check_str(rec, "source", 1024, why, whylen) < 0 ||
	    check_str(rec, "description", l->description, why, whylen) < 0)
		return -1;
	static const char *times[] = { "reported_at", "received_at", NULL };
	for (int i = 0; times[i]; i++) {
		int64_t u;
		v = json_object_get(rec, times[i]);
		if (v && (!json_is_string(v) ||
		    rfc3339_parse(json_string_value(v), &u) < 0)) {
			snprintf(why, whylen, "%s is not an RFC 3339 time",
			    times[i]);
			return -1;
		}
	}
	v = json_object_get(rec, "metadata");
	if (v && !json_is_object(v)) {
		snprintf(why, whylen, "metadata is not an object");
		return -1;
	}
	/* An audio job has no text yet: inc-stt writes the description. */
	if (json_is_object(json_object_get(rec, "audio")))
		return 0;
	v = json_object_get(rec, "description");
	if (!v) {
		snprintf(why, whylen, "description is missing");
		return -1;
	}
	if (blank(json_string_value(v))) {
		snprintf(why, whylen, "description is empty");
		return -1;
	}
	return 0;
}

void
incident_complete(json_t *rec, const char *format, const char *input)
{
	char buf[RFC3339_LEN > ID_MAX + 1 ? RFC3339_LEN : ID_MAX + 1];

	if (!json_object_get(rec, "id")) {
		id_new(buf, sizeof buf);
		json_object_set_new(rec, "id", json_string(buf));
	}
	if (!json_object_get(rec, "kind"))
		json_object_set_new(rec, "kind", json_string("incident"));
	if (!json_object_get(rec, "received_at")) {
		rfc3339_now(buf, sizeof buf);
		json_object_set_new(rec, "received_at", json_string(buf));
	}
	/* Times from senders in any zone, kept in UTC so they sort. */
	static const char *times[] = { "reported_at", "received_at", NULL };
	for (int i = 0; times[i]; i++) {
		const char *t = json_string_value(json_object_get(rec,
		    times[i]));
		if (t && rfc3339_normalise(t, buf, sizeof buf) == 0 &&
		    strcmp(t, buf) != 0)
			json_object_set_new(rec, times[i], json_string(buf));
	}
	json_object_set_new(rec, "ingest", json_pack("{s:s, s:s}", "format",
	    format, "input", input));
}

/* An optional string: absent, or unescaped within max bytes as written. */
static int
raw_str_ok(const struct jscan *s, const char *key, size_t max)
{
	const struct jscan_key *k = jscan_get(s, key);

	return !k || (k->type == '"' && k->vlen - 2 <= max);
}

/* Blank as isspace() would see the decoded text; -1: cannot tell. */
static int
raw_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == ' ')
			continue;
		if (p[i] != '\\')
			return 0;
		i++;
		if (p[i] == 'u')
			return -1;
		if (p[i] != 'n' && p[i] != 't' && p[i] != 'r' && p[i] != 'f')
			return 0;
	}
	return 1;
}

int
incident_fast_write(FILE *out, const struct jscan *s,
    const struct incident_limits *l, const char *format,
    const char *input_json)
{
	const struct jscan_key *id = jscan_get(s, "id");
	const struct jscan_key *kind = jscan_get(s, "kind");
	const struct jscan_key *desc = jscan_get(s, "description");
	const struct jscan_key *meta = jscan_get(s, "metadata");
	char buf[ID_MAX + 1], at[RFC3339_LEN];
	const char *raw;
	size_t n;
	int sep = s->nkeys > 0;

	static const char *tkeys[] = { "reported_at", "received_at" };
	const struct jscan_key *tk[2];
	char tnew[2][RFC3339_LEN];
	int trepl[2] = { 0, 0 };

	if (jscan_get(s, "alerts") || jscan_get(s, "ingest") ||
	    jscan_get(s, "audio"))
		return 0;
	/* Sender's times: valid, and rewritten in UTC where they are not. */
	for (int i = 0; i < 2; i++) {
		char t[64];
		if (!(tk[i] = jscan_get(s, tkeys[i])))
			continue;
		if (tk[i]->type != '"' || tk[i]->escaped ||
		    tk[i]->vlen - 2 >= sizeof t)
			return 0;
		raw = jscan_str(s, tk[i], &n);
		memcpy(t, raw, n);
		t[n] = '\0';
		if (rfc3339_normalise(t, tnew[i], sizeof tnew[i]) < 0)
			return 0;
		trepl[i] = strcmp(t, tnew[i]) != 0;
	}
	if (id) {
		if (id->type != '"' || id->escaped || id->vlen - 2 > ID_MAX)
			return 0;
		raw = jscan_str(s, id, &n);
		memcpy(buf, raw, n);
		buf[n] = '\0';
		if (!id_valid(buf))
			return 0;
	}
	if (kind) {
		raw = jscan_str(s, kind, &n);
		if (kind->type != '"' || kind->escaped ||
		    !((n == 8 && memcmp(raw, "incident", 8) == 0) ||
		    (n == 2 && memcmp(raw, "kb", 2) == 0)))
			return 0;
	}
	if (!desc || !raw_str_ok(s, "description", l->description) ||
	    !raw_str_ok(s, "title", l->title) ||
	    !raw_str_ok(s, "type", 256) || !raw_str_ok(s, "source", 1024))
		return 0;
	raw = jscan_str(s, desc, &n);
	if (raw_blank(raw, n) != 0)
		return 0;
	if (meta && meta->type != '{')
		return 0;

	/* The object without its closing brace, with UTC times put in
	 * place, then our keys. */
	int order[2], nrep = 0;
	size_t at_off = 0;
	for (int i = 0; i < 2; i++)
		if (trepl[i])
			order[nrep++] = i;
	if (nrep == 2 && tk[order[0]]->voff > tk[order[1]]->voff) {
		order[0] = 1;
		order[1] = 0;
	}
	for (int r = 0; r < nrep; r++) {
		const struct jscan_key *k = tk[order[r]];
		fwrite(s->out + at_off, 1, k->voff - at_off, out);
		fprintf(out, "\"%s\"", tnew[order[r]]);
		at_off = k->voff + k->vlen;
	}
	fwrite(s->out + at_off, 1, s->len - 1 - at_off, out);
	if (!id) {
		id_new(buf, sizeof buf);
		fprintf(out, "%s\"id\":\"%s\"", sep ? "," : "", buf);
		sep = 1;
	}
	if (!kind) {
		fprintf(out, "%s\"kind\":\"incident\"", sep ? "," : "");
		sep = 1;
	}
	if (!tk[1]) {
		rfc3339_now(at, sizeof at);
		fprintf(out, "%s\"received_at\":\"%s\"", sep ? "," : "",
		    at);
		sep = 1;
	}
	fprintf(out, "%s\"ingest\":{\"format\":\"%s\",\"input\":%s}}\n",
	    sep ? "," : "", format, input_json);
	return ferror(out) ? -1 : 1;
}
