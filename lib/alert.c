/* alert: Alertmanager and Grafana webhook bodies into records. */
#include "alert.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rfc3339.h"

enum alert_kind
alert_detect(const json_t *body)
{
	const json_t *alerts, *ver;

	if (!json_is_object(body))
		return ALERT_NONE;
	alerts = json_object_get(body, "alerts");
	ver = json_object_get(body, "version");
	if (json_is_array(alerts)) {
		/* Alertmanager's own tests send version "1" too: the Grafana
		 * marks are orgId and state, not the version. */
		if (json_object_get(body, "orgId") ||
		    json_object_get(body, "state"))
			return ALERT_GRAFANA;
		if (json_is_string(ver) || json_object_get(body, "groupKey") ||
		    json_object_get(body, "receiver"))
			return ALERT_ALERTMANAGER;
		return ALERT_NONE;
	}
	if ((json_object_get(body, "ruleName") ||
	    json_object_get(body, "ruleId")) &&
	    json_is_string(json_object_get(body, "state")) &&
	    !json_object_get(body, "description"))
		return ALERT_GRAFANA_LEGACY;
	return ALERT_NONE;
}

const char *
alert_format(enum alert_kind k)
{
	switch (k) {
	case ALERT_ALERTMANAGER:
		return "alertmanager";
	case ALERT_GRAFANA:
		return "grafana";
	case ALERT_GRAFANA_LEGACY:
		return "grafana-legacy";
	default:
		return "json";
	}
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s && *s ? s : NULL;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Alertmanager's fingerprint when the sender did not include it
 * (prometheus/common model.LabelsToSignature: FNV-1a 64 over the sorted
 * names and values, each followed by the byte 0xff).
 */
static uint64_t
labels_fingerprint(const json_t *labels)
{
	uint64_t h = 14695981039346656037ull;
	size_t n = labels ? json_object_size(labels) : 0, i = 0;
	const char **keys = calloc(n ? n : 1, sizeof *keys);
	const char *k;
	json_t *v;

	if (!keys)
		return h;
	if (labels)
		json_object_foreach((json_t *)labels, k, v)
			keys[i++] = k;
	qsort(keys, n, sizeof *keys, cmp_keys);
	for (i = 0; i < n; i++) {
		const char *parts[2] = { keys[i],
		    json_string_value(json_object_get(labels, keys[i])) };
		for (int p = 0; p < 2; p++) {
			for (const unsigned char *c =
			    (const unsigned char *)(parts[p] ? parts[p] : "");
			    *c; c++) {
				h ^= *c;
				h *= 1099511628211ull;
			}
			h ^= 0xff;
			h *= 1099511628211ull;
		}
	}
	free(keys);
	return h;
}

/* "2018-11-04T21:43:58.283995Z" -> "20181104T214358.283995Z" */
static void
compact_time(const char *utc, char *out, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; utc[i] && j + 1 < len; i++)
		if (utc[i] != '-' && utc[i] != ':')
			out[j++] = utc[i];
	out[j] = '\0';
}

/* A description from the labels when the alert has no text at all. */
static char *
labels_text(const json_t *labels, const char *status)
{
	size_t cap = 256, len = 0;
	char *s = malloc(cap);
	const char *k;
	json_t *v;

	if (!s)
		return NULL;
	len = (size_t)snprintf(s, cap, "%s:", status);
	if (!labels)
		return s;
	json_object_foreach((json_t *)labels, k, v) {
		const char *val = json_string_value(v);
		size_t need = strlen(k) + (val ? strlen(val) : 0) + 4;
		if (len + need >= cap) {
			char *ns;
			cap = (len + need) * 2;
			ns = realloc(s, cap);
			if (!ns) {
				free(s);
				return NULL;
			}
			s = ns;
		}
		len += (size_t)snprintf(s + len, cap - len, " %s=%s", k,
		    val ? val : "");
	}
	return s;
}

static json_t *
one_alert(const json_t *body, const json_t *a, enum alert_kind k)
{
	const json_t *labels = json_object_get(a, "labels");
	const json_t *ann = json_object_get(a, "annotations");
	const char *status = str(a, "status");
	const char *fp = str(a, "fingerprint");
	const char *starts = str(a, "startsAt");
	const char *ends = str(a, "endsAt");
	const char *title, *desc;
	char fpbuf[17], t[RFC3339_LEN], ct[RFC3339_LEN], id[160];
	char *gen = NULL;
	json_t *rec, *meta, *am;
	int64_t u;

	if (!json_is_object(labels))
		labels = NULL;
	if (!json_is_object(ann))
		ann = NULL;
	/* prometheus-msteams' sample has no per-alert status. */
	if (!status)
		status = str(body, "status");
	if (!status)
		status = "firing";
	if (!fp) {
		snprintf(fpbuf, sizeof fpbuf, "%016llx", (unsigned long long)
		    labels_fingerprint(labels));
		fp = fpbuf;
	}
	if (!starts || rfc3339_normalise(starts, t, sizeof t) < 0)
		t[0] = '\0';
	compact_time(t[0] ? t : "0", ct, sizeof ct);
	snprintf(id, sizeof id, "%s-%.32s-%s",
	    k == ALERT_ALERTMANAGER ? "am" : "grafana", fp, ct);

	title = ann ? str(ann, "summary") : NULL;
	if (!title && ann)
		title = str(ann, "title");
	if (!title && labels)
		title = str(labels, "alertname");
	desc = ann ? str(ann, "description") : NULL;
	if (!desc && ann)
		desc = str(ann, "message");
	if (!desc && ann)
		desc = str(ann, "summary");
	if (!desc && labels && json_object_get(labels, "summary"))
		desc = str(labels, "summary");
	if (!desc)
		desc = gen = labels_text(labels, status);

	rec = json_object();
	json_object_set_new(rec, "id", json_string(id));
	if (title)
		json_object_set_new(rec, "title", json_string(title));
	json_object_set_new(rec, "description", json_string(desc ? desc :
	    status));
	if (labels && str(labels, "alertname"))
		json_object_set_new(rec, "type",
		    json_string(str(labels, "alertname")));
	json_object_set_new(rec, "source", json_string(
	    k == ALERT_ALERTMANAGER ? "alertmanager" : "grafana"));
	if (t[0])
		json_object_set_new(rec, "reported_at", json_string(t));

	am = json_object();
	json_object_set_new(am, "status", json_string(status));
	json_object_set_new(am, "labels", labels ? json_deep_copy(labels) :
	    json_object());
	json_object_set_new(am, "annotations", ann ? json_deep_copy(ann) :
	    json_object());
	if (t[0])
		json_object_set_new(am, "startsAt", json_string(t));
	/* Go's zero time means "still firing": no end yet. */
	if (ends && rfc3339_parse(ends, &u) == 0 && u > 0) {
		rfc3339_format(u, t, sizeof t);
		json_object_set_new(am, "endsAt", json_string(t));
	}
	json_object_set_new(am, "fingerprint", json_string(fp));
	static const char *links[] = { "generatorURL", "silenceURL",
	    "dashboardURL", "panelURL", NULL };
	for (int i = 0; links[i]; i++)
		if (str(a, links[i]))
			json_object_set_new(am, links[i],
			    json_string(str(a, links[i])));
	if (json_object_get(a, "values"))
		json_object_set(am, "values", json_object_get(a, "values"));
	if (str(a, "valueString"))
		json_object_set_new(am, "valueString",
		    json_string(str(a, "valueString")));

	meta = json_object();
	json_object_set_new(meta, "alert", am);
	static const char *group[] = { "receiver", "groupKey", "externalURL",
	    "orgId", "state", NULL };
	for (int i = 0; group[i]; i++) {
		json_t *v = json_object_get(body, group[i]);
		if (v && !json_is_null(v) &&
		    !(json_is_string(v) && !*json_string_value(v)))
			json_object_set(meta, group[i], v);
	}
	json_object_set_new(rec, "metadata", meta);
	free(gen);
	return rec;
}

/* Grafana before unified alerting: one notification, one record. */
static json_t *
legacy(const json_t *body)
{
	const char *rule = str(body, "ruleName");
	const char *msg = str(body, "message");
	const char *title = str(body, "title");
	char id[160];
	json_t *rec = json_object(), *meta = json_object();
	json_int_t rid = json_integer_value(json_object_get(body, "ruleId"));

	const char *state = str(body, "state");

	/* Old Grafana sends no start time: one record per rule, which its
	 * "ok" notice resolves. */
	snprintf(id, sizeof id, "grafana-rule-%lld", (long long)rid);
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "title", json_string(title ? title :
	    rule ? rule : "Grafana alert"));
	json_object_set_new(rec, "description", json_string(msg ? msg :
	    title ? title : rule ? rule : "Grafana alert"));
	if (rule)
		json_object_set_new(rec, "type", json_string(rule));
	json_object_set_new(rec, "source", json_string("grafana"));
	json_object_set_new(meta, "alert", json_deep_copy(body));
	json_object_set_new(json_object_get(meta, "alert"), "status",
	    json_string(state && strcmp(state, "ok") == 0 ? "resolved" :
	    "firing"));
	json_object_set_new(rec, "metadata", meta);
	return rec;
}

json_t *
alert_records(const json_t *body, enum alert_kind k, char *why,
    size_t whylen)
{
	const json_t *alerts = json_object_get(body, "alerts");
	json_t *out = json_array();
	size_t i;
	json_t *a;

	if (k == ALERT_GRAFANA_LEGACY) {
		json_array_append_new(out, legacy(body));
		return out;
	}
	if (json_array_size(alerts) == 0) {
		snprintf(why, whylen, "%s payload has no alerts",
		    alert_format(k));
		json_decref(out);
		return NULL;
	}
	json_array_foreach(alerts, i, a) {
		if (!json_is_object(a)) {
			snprintf(why, whylen, "alerts[%zu] is not an object",
			    i);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, one_alert(body, a, k));
	}
	return out;
}
