/* incident: validate reports and fill in inc-ingest's keys. */
#include "incident.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "id.h"
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
	json_object_set_new(rec, "ingest", json_pack("{s:s, s:s}", "format",
	    format, "input", input));
}
