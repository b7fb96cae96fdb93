/*
 * id: incident identifiers.  Generated ids sort by creation time and are
 * unique across processes: "INC-20261127-021906-123456-K7QF" is the UTC
 * date, time, microseconds, and four random base32 characters.  Ids that
 * users or senders give are kept, but must match [A-Za-z0-9._:-]{1,128} so
 * they are safe in file names, URLs, Slack channel names and SQL.
 */
#ifndef INC_ID_H
#define INC_ID_H

#include <stddef.h>
#include <stdint.h>

#define ID_MAX 128

/* Write a new id into buf (at least ID_MAX + 1 bytes). */
void id_new(char *buf, size_t len);

/*
 * The id of something that arrived at usec (since the epoch) and is known
 * by name: the same name and time always give the same id, so a replayed
 * spool entry keeps the ids it had.
 */
void id_at(int64_t usec, const char *name, char *buf, size_t len);

/* 1 if s is an acceptable id, 0 if not. */
int id_valid(const char *s);

#endif
