/*
 * incident: what makes a report a valid record, and the keys inc-ingest
 * owns (DESIGN §2).  inc-ingest checks every report with it; inc-httpd can
 * check a body with the same rules before it answers 202, so a sender
 * hears about a bad report at once rather than from a log.
 */
#ifndef INC_INCIDENT_H
#define INC_INCIDENT_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

struct jscan;

struct incident_limits {
	size_t description;	/* bytes; INC_MAX_DESCRIPTION, 64 KiB */
	size_t title;		/* bytes; INC_MAX_TITLE, 512 */
};

/* Read the limits from the configuration; -1 with err when one is bad. */
int incident_limits_load(struct incident_limits *l, char *err, size_t errlen);

/*
 * Check a report against the contract: an object; `id`, when present, a
 * string of [A-Za-z0-9._:-]{1,128}; `description` a string that is not
 * empty or blank (unless the record is an audio job); `title`, `type`,
 * `source` strings; `metadata` an object; `kind` "incident" or "kb";
 * strings within their limits; `reported_at` and `received_at` RFC 3339
 * times.  Returns 0, or -1 with a one-line reason.
 */
int incident_check(const json_t *rec, const struct incident_limits *l,
    char *why, size_t whylen);

/*
 * Fill in what inc-ingest owns and the sender left out: `id` (generated),
 * `kind` ("incident"), `received_at` (now) and `ingest` ({format, input}),
 * and put the sender's times in UTC.  Keys already present are kept,
 * others' keys are not touched.
 */
void incident_complete(json_t *rec, const char *format, const char *input);

/*
 * The bulk path: for a line jscan has indexed, decide from the raw bytes
 * whether it is certainly a valid report, and if so write it on with
 * inc-ingest's keys added, exactly as incident_check() and
 * incident_complete() would.  input_json is the input's name as a JSON
 * string (with its quotes).  1: written; 0: not certain (an escaped id, a
 * webhook body, a field near its limit...), take the jansson path; -1: a
 * write error (errno).
 */
int incident_fast_write(FILE *out, const struct jscan *s,
    const struct incident_limits *l, const char *format,
    const char *input_json);

#endif
