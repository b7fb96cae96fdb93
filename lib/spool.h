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
 * move into new/, fsync new/.  In tmp/ the entry is an unnamed file
 * (O_TMPFILE) linked into new/ once fsynced, or, where the file system or
 * a missing /proc cannot do that, a named file renamed into new/.  The
 * entry's name goes to name.  Returns 0, or -1 with a reason (and nothing
 * left in new/ or tmp/).
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

/*
 * Group commit: many callers, one fsync.  Each caller hands over one
 * line (a compact JSON record, no newline inside); the lines that arrive
 * while an entry is being written go out together as the next entry, one
 * record a line, with one fsync and one rename.  Threads of the batcher's
 * own do the writing, so a caller may hand its line over and go on
 * (spool_batch_submit: an event loop must not wait for a disk) or wait
 * for it (spool_batch_put).
 */
struct spool_batch;

/*
 * A batcher for dir (which spool_init made), with that many writer
 * threads (fsyncs in flight at once; 1 gives the largest entries, 2 the
 * shortest waits).  NULL with errno.
 */
struct spool_batch *spool_batch_new(const char *dir, int writers);

/* Write what was handed over, then stop the writer and free b. */
void spool_batch_free(struct spool_batch *b);

/*
 * Called from the batcher's thread once line's entry is durable in new/
 * (rc 0, name the entry's name) or could not be written (rc -1, why the
 * reason; nothing of the batch is then in new/).
 */
typedef void (*spool_done_fn)(void *arg, int rc, const char *name,
    const char *why);

/*
 * Hand line (copied) over for the next entry; fn(arg, ...) is called
 * exactly once, later.  0, or -1 on ENOMEM (fn is then never called).
 * Safe from any thread.
 */
int spool_batch_submit(struct spool_batch *b, const char *line, size_t len,
    spool_done_fn fn, void *arg);

/*
 * The same, waiting: 0 with the entry's name once it is durable, or -1
 * with a reason.  Safe from any thread but the batcher's.
 */
int spool_batch_put(struct spool_batch *b, const char *line, size_t len,
    char *name, size_t namelen, char *why, size_t whylen);

/* Upper bounds of the commit-time buckets of spool_batch_stats, seconds. */
#define SPOOL_NBUCKETS 10
extern const double spool_commit_buckets[SPOOL_NBUCKETS];

/* What b's writers have done since spool_batch_new. */
struct spool_batch_stats {
	unsigned long entries;	/* written durably */
	unsigned long reports;	/* in those entries */
	unsigned long failed;	/* entries that could not be written */
	/* Entries by the time their write took (to new/, fsyncs included):
	 * le[i] up to spool_commit_buckets[i] and over the one before, the
	 * last over every bound.  Not cumulative. */
	unsigned long le[SPOOL_NBUCKETS + 1];
	double seconds;		/* those times, summed */
};

/* A copy of b's figures.  Safe from any thread. */
void spool_batch_stats(struct spool_batch *b, struct spool_batch_stats *st);

/*
 * Which report ids wait in which entries: what inc-httpd needs to answer
 * "queued" for a report not stored yet, and to take a re-post of such an
 * id as done.  The spool itself is the truth: the index is read from the
 * entries of new/, cur/ and bad/ when made, kept in memory as reports are
 * accepted, and pruned of ids whose entry is gone (acked: the store has
 * them now).  One file a report would cost an inode allocation each, the
 * largest cost of accepting a report on ext4.  Safe from any thread.
 */
struct spool_index;

/* Read dir's entries; NULL with errno on failure. */
struct spool_index *spool_index_new(const char *dir);
void spool_index_free(struct spool_index *x);

/*
 * Drop the ids whose entry is gone, once the index has doubled since the
 * last sweep, for about budget_ms at a time.  1 while a sweep has more to
 * do (call again soon), 0 when there is none.  Call it from a thread of
 * its own (inc-httpd's main loop), never from a request.
 */
int spool_index_tidy(struct spool_index *x, int budget_ms);

/* Record that id waits in entry name.  0, or -1 on ENOMEM. */
int spool_index_add(struct spool_index *x, const char *id, const char *name);

/*
 * The entry id waits in: 1 with its name and where ("new", "cur" or
 * "bad"), or 0 when it waits in none (never accepted here, or stored
 * and acked since).
 */
int spool_index_find(struct spool_index *x, const char *id, char *name,
    size_t namelen, const char **where);

/* Ids known to the index (for tests and metrics). */
size_t spool_index_size(struct spool_index *x);

#endif
