/*
 * spool: the durable queue between inc-httpd and the pipeline (DESIGN §4),
 * a maildir: entries are written to tmp/, fsynced and renamed into new/
 * (only then is a report accepted), claimed by a rename into cur/, and
 * removed by `inc-store --ack` once every record made from them is
 * stored.  Renames within one file system are atomic, so a crash at any
 * point leaves each entry whole in exactly one folder, and whatever is in
 * cur/ at start is work to replay.  Entries that yield no record at all
 * go to bad/ for a person to look at.
 *
 * Entry names sort by arrival time: "SECONDS.USEC.PpidQn.host".
 */
#ifndef INC_SPOOL_H
#define INC_SPOOL_H

#include <stddef.h>

/* Create dir and its tmp/ new/ cur/ bad/ (mode 0700) when missing. */
int spool_init(const char *dir, char *why, size_t whylen);

/*
 * Write data as a new entry and make it durable: write to tmp/, fsync,
 * rename into new/, fsync new/.  The entry's name goes to name.  Returns
 * 0, or -1 with a reason (and nothing left in new/).
 */
int spool_write(const char *dir, const void *data, size_t len, char *name,
    size_t namelen, char *why, size_t whylen);

/*
 * The entries of dir/sub ("new" or "cur"), oldest first, in a
 * NULL-terminated array that the caller frees with spool_list_free().
 * NULL with errno on failure.
 */
char **spool_list(const char *dir, const char *sub);
void spool_list_free(char **names);

/* A name as written by spool_write (no '/', not "." or ".."): 1 or 0. */
int spool_name_valid(const char *name);

/*
 * Claim new/name into cur/name.  0, or -1 with errno (ENOENT: another
 * reader claimed it first).
 */
int spool_claim(const char *dir, const char *name);

/* Remove cur/name; a missing entry is not an error.  0 or -1 (errno). */
int spool_done(const char *dir, const char *name);

/* Move cur/name to bad/name.  0 or -1 (errno). */
int spool_bad(const char *dir, const char *name);

/* An inotify descriptor that wakes for entries arriving in new/. */
int spool_watch(const char *dir);

/*
 * Wait up to timeout_ms for the watch to fire (drains its events).
 * 1 woken, 0 timed out or interrupted, -1 error.
 */
int spool_wait(int wfd, int timeout_ms);

#endif
