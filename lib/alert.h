/*
 * alert: Prometheus Alertmanager and Grafana webhook bodies as records.
 *
 * One record per alert (protocols.md §7).  The id is stable across
 * re-sends of the same alert: it is made of the alert's fingerprint (or,
 * when an old sender left it out, the same FNV-1a hash Alertmanager computes
 * over the sorted labels) and its startsAt, so the resolved notice of an
 * alert lands on the record its firing notice made.  Labels, annotations,
 * status and times are kept in metadata.alert; the group's receiver,
 * groupKey and externalURL in metadata.
 */
#ifndef INC_ALERT_H
#define INC_ALERT_H

#include <stddef.h>
#include <jansson.h>

enum alert_kind {
	ALERT_NONE = 0,		/* not a webhook body */
	ALERT_ALERTMANAGER,	/* "version": "4" (or older) with alerts[] */
	ALERT_GRAFANA,		/* unified alerting: version "1" and orgId */
	ALERT_GRAFANA_LEGACY,	/* pre-8 Grafana: ruleName, state, evalMatches */
};

/* Recognise a webhook body by its shape. */
enum alert_kind alert_detect(const json_t *body);

/* "alertmanager", "grafana" or "grafana-legacy". */
const char *alert_format(enum alert_kind k);

/*
 * Turn a body into a new array of records (without inc-ingest's own
 * keys).  Returns the array, or NULL with a reason in why (alerts[] is not
 * an array of objects, or it is empty).
 */
json_t *alert_records(const json_t *body, enum alert_kind k, char *why,
    size_t whylen);

#endif
