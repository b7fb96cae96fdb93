/*
 * rfc3339: timestamps as the record carries them, RFC 3339 in UTC with
 * microseconds ("2026-11-27T02:19:06.123456Z").  Parsing accepts what real
 * senders write (any offset, any number of fractional digits: Alertmanager
 * sends nanoseconds and "-05:00") and normalises to UTC, so times from
 * different sources sort as strings.
 */
#ifndef INC_RFC3339_H
#define INC_RFC3339_H

#include <stddef.h>
#include <stdint.h>

#define RFC3339_LEN 32	/* buffer size that always fits a formatted time */

/* Microseconds since the epoch, from CLOCK_REALTIME. */
int64_t rfc3339_usec_now(void);

/* Format usec since the epoch into buf (at least RFC3339_LEN bytes). */
void rfc3339_format(int64_t usec, char *buf, size_t len);

/* Format the current time. */
void rfc3339_now(char *buf, size_t len);

/*
 * Parse an RFC 3339 date-time into usec since the epoch.  Returns 0, or -1
 * when s is not one (a missing offset is an error: a time without a zone
 * cannot be placed).
 */
int rfc3339_parse(const char *s, int64_t *usec);

/* Parse and re-format in UTC; -1 if s is not an RFC 3339 time. */
int rfc3339_normalise(const char *s, char *buf, size_t len);

#endif
