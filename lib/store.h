/*
 * store: persistence of incidents, their timeline and the knowledge base
 * (DESIGN §4), on SQLite or on PostgreSQL behind one interface.
 *
 * A database is named by a URL: "sqlite:PATH" or a plain path (WAL, a
 * busy handler that waits instead of failing), or "postgresql://..." (libpq).
 * Both hold the same logical schema, brought up to date by numbered
 * migrations when the store is opened, and give the same answers.
 *
 * The pipe side (store_put / store_commit) works in batches: records are
 * queued, and a commit applies the whole queue in one transaction, so bulk
 * input costs one transaction per batch while an interactive record costs
 * one transaction of its own.  The caller decides when to commit: when
 * store_put() says the batch is full or old, and before blocking on input.
 * Two writers on one database are safe: SQLite serialises them with
 * BEGIN IMMEDIATE, PostgreSQL with row locks taken in id order.
 *
 * This module owns the record keys `store` and `status` (with
 * acknowledged_at, acknowledged_by, resolved_at, resolution): the stored
 * lifecycle always wins over an incoming record's, so a replay cannot
 * reopen an incident.  It never writes to stdout or stderr; errors come
 * back as a negative value and a one-line reason without credentials.
 */
#ifndef INC_STORE_H
#define INC_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;

/* Return values besides 0. */
#define STORE_ERR	(-1)	/* failed; the reason is in err */
#define STORE_NOTFOUND	(-2)	/* no such incident */
#define STORE_RETRY	(-3)	/* backends: lost a race, redo it all */
#define STORE_SLOW	(-4)	/* store_put_line: use store_put */

/* Flags for store_open(). */
#define STORE_DRY_RUN	 1	/* never write: batches roll back, no
				   migration (a missing SQLite file is
				   replaced by an empty in-memory one) */
#define STORE_NO_MIGRATE 2	/* leave the schema alone (for `migrate`) */

/* Operations on the whole store */

/*
 * Open the database named by url (NULL: DATABASE_URL, INC_DB, else
 * $INC_STATE_DIR/incident.db, creating that directory 0700) and bring its
 * schema up to date.  On failure err reads "open WHERE: reason", WHERE
 * being the URL without its password.
 */
int store_open(struct store **out, const char *url, int flags, char *err,
    size_t errlen);

/* Commit nothing that is pending (call store_commit first), and close. */
void store_close(struct store *st);

/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);

/* The URL or path in use, with any password replaced by "***". */
const char *store_where(const struct store *st);

/*
 * Apply the migrations the database lacks, in order, each in its own
 * transaction; *applied is how many ran and *version the schema version
 * after.  Safe to run from several processes at once.
 */
int store_migrate(struct store *st, int *applied, int *version, char *err,
    size_t errlen);

/* The pipe: batched upserts */

/* Commit when a batch holds max records or is older than ms. */
void store_set_batch(struct store *st, size_t max, int ms);

/*
 * STORE_KB_ONLY (--kb): store into the knowledge base records of kind
 * "kb" and resolved incidents (with a resolution), refuse the rest.
 */
#define STORE_KB_ONLY 1

/*
 * Queue rec for the next commit, taking a reference.  A record that
 * cannot be stored (no valid id; not a kb record with STORE_KB_ONLY) is
 * queued too, with an errors[] entry, so records keep their order.
 * Returns 1 when the batch is due for a commit, else 0.
 */
int store_put(struct store *st, json_t *rec, int flags);

/*
 * As store_put(), for a line that passed record_check_text(), without
 * building a JSON tree: plain incidents (the bulk of a pipe) are merged
 * as text.  STORE_SLOW when the line is anything else (a kb record, no
 * valid id, not valid JSON, unusual): parse it and call store_put().
 */
int store_put_line(struct store *st, const char *line, size_t len,
    int flags);

/* Number of records queued and not yet committed. */
size_t store_pending(const struct store *st);

/* What store_commit() reports for each queued record, in queue order. */
struct store_result {
	const json_t *rec;	/* the record to pass on, with `store`; */
	const char *line;	/* or, when rec is NULL, the same as one
				   line of compact JSON (no LF) */
	size_t len;
	int stored;		/* 1 if it is committed (or would be, in a
				   dry run); 0 if it was not stored */
	int failed;		/* 1 if this stage added an errors[] entry */
	const json_t *plan;	/* in a dry run, what would be written:
				   {table, op, id, version, events[]}, op
				   insert, update or unchanged; else NULL */
};

/*
 * Apply the queued records in one transaction and commit it; only then
 * call done() on each, in order (so a spool entry can be removed safely).
 * If the transaction fails, each record gets an errors[] entry and
 * stored = 0, and the reason is in err: the records are still handed on.
 * Returns 0 or STORE_ERR; done() is called either way.
 */
int store_commit(struct store *st,
    void (*done)(const struct store_result *res, void *arg), void *arg,
    char *err, size_t errlen);

/* The subcommands */

/* The stored record of incident (or kb document) id, new reference. */
int store_get(struct store *st, const char *id, json_t **rec, char *err,
    size_t errlen);

struct store_filter {
	const char *status;	/* NULL: any */
	const char *severity;	/* NULL: any */
	const char *since;	/* RFC 3339 UTC: created at or after; NULL */
	long limit;		/* 0: no limit */
};

/*
 * Call fn on each incident matching f, newest first; fn borrows the
 * record.  A non-zero return from fn stops the walk and is returned.
 */
int store_list(struct store *st, const struct store_filter *f,
    int (*fn)(const json_t *rec, void *arg), void *arg, char *err,
    size_t errlen);

/*
 * Counts by severity, status and classification method, and the mean
 * seconds to acknowledge and to resolve (from reported_at, else from when
 * the incident was first stored), for incidents created since `since`
 * (NULL: all).  *out is a new object.
 */
int store_stats(struct store *st, const char *since, json_t **out,
    char *err, size_t errlen);

/*
 * Call fn on each event of incident id in order: {seq, incident_id, at,
 * type, actor, detail}.  STORE_NOTFOUND when there is no such incident.
 */
int store_events(struct store *st, const char *id,
    int (*fn)(const json_t *ev, void *arg), void *arg, char *err,
    size_t errlen);

/*
 * Acknowledge incident id on behalf of by; resolve it with resolution.
 * Either is a no-op on an incident already past that point (resolve may
 * still change the resolution text).  *rec is the record after, a new
 * reference.  STORE_NOTFOUND for an unknown id.
 */
int store_ack(struct store *st, const char *id, const char *by,
    json_t **rec, char *err, size_t errlen);
int store_resolve(struct store *st, const char *id, const char *resolution,
    const char *by, json_t **rec, char *err, size_t errlen);

/*
 * Append an event to incident id's timeline unless one of the same type
 * whose detail has the same value at key is there already, as one step
 * under the incident's lock, so that of two processes racing only one
 * appends (inc-call records whom it is about to ring this way); a NULL
 * key always appends.  Takes the reference to detail.  1 appended, 0
 * already there, STORE_NOTFOUND.
 */
int store_event_once(struct store *st, const char *id, const char *type,
    const char *actor, json_t *detail, const char *key, char *err,
    size_t errlen);

/* The knowledge base, for readers such as inc-match */

/* The counter bumped by every change to the knowledge base. */
int store_kb_version(struct store *st, int64_t *version, char *err,
    size_t errlen);

/*
 * The version and when it last moved, as one string ("12:2026-11-27T...",
 * "0:" for a knowledge base never changed): unlike the version alone, it
 * tells two databases apart, so a cache made from one is never taken for
 * the other's.
 */
int store_kb_stamp(struct store *st, char *stamp, size_t len, char *err,
    size_t errlen);

struct store_kb_doc {
	const char *id, *title, *severity, *resolution, *model;
	int dim;
	const float *vector;	/* dim floats, or NULL when not embedded */
	const char *record;	/* the record as JSON text */
};

/*
 * Call fn on each document embedded by model (NULL: every document); fn
 * borrows the strings.  A non-zero return from fn stops and is returned.
 */
int store_kb_each(struct store *st, const char *model,
    int (*fn)(const struct store_kb_doc *doc, void *arg), void *arg,
    char *err, size_t errlen);

/*
 * Backends: store-sqlite.c and store-pg.c implement this table for
 * store.c; commands never use it.  Column values are strings (NULL for SQL
 * NULL) in the orders below.  Every call returns 0, STORE_ERR with err, or
 * STORE_RETRY when the transaction must be rolled back and done again.
 */
enum store_incident_col {
	STORE_I_ID, STORE_I_KIND, STORE_I_TITLE, STORE_I_TYPE, STORE_I_SOURCE,
	STORE_I_SEVERITY, STORE_I_STATUS, STORE_I_METHOD, STORE_I_CREATED_AT,
	STORE_I_UPDATED_AT, STORE_I_REPORTED_AT, STORE_I_ACK_AT,
	STORE_I_ACK_BY, STORE_I_RESOLVED_AT, STORE_I_RESOLUTION,
	STORE_I_VERSION, STORE_I_RECORD, STORE_I_NCOLS
};
enum store_event_col {
	STORE_E_INCIDENT, STORE_E_AT, STORE_E_TYPE, STORE_E_ACTOR,
	STORE_E_DETAIL, STORE_E_NCOLS
};
enum store_kb_col {
	STORE_K_ID, STORE_K_TITLE, STORE_K_SEVERITY, STORE_K_RESOLUTION,
	STORE_K_MODEL, STORE_K_DIM, STORE_K_RECORD, STORE_K_UPDATED_AT,
	STORE_K_VERSION, STORE_K_NCOLS
};

/* The schema version this build knows; migrations are 1..this. */
#define STORE_SCHEMA_VERSION 1

struct store_backend {
	const char *name;
	const char *vector_hex;	/* SQL for kb.vector as hex text */

	/* Start a write transaction (waiting for other writers). */
	int (*begin)(void *be, char *err, size_t errlen);
	/*
	 * Lock the rows of ids (sorted, unique) in table "incidents" or "kb"
	 * for the rest of the transaction and call fn for each that exists.
	 */
	int (*load)(void *be, const char *table, const char *const *ids,
	    size_t n,
	    void (*fn)(void *arg, const char *id, int64_t version,
	    const char *record), void *arg, char *err, size_t errlen);
	/*
	 * Write rows; they may be buffered until commit, so the values are
	 * borrowed for the call only and copied when kept.  exists says
	 * whether load() found the row: a row that another writer created
	 * since must make the transaction fail with STORE_RETRY, never be
	 * overwritten blindly.
	 */
	int (*put_incident)(void *be, const char *const *cols, int exists,
	    char *err, size_t errlen);
	int (*put_event)(void *be, const char *const *cols, char *err,
	    size_t errlen);
	int (*put_kb)(void *be, const char *const *cols, const void *vec,
	    size_t veclen, int exists, char *err, size_t errlen);
	int (*bump_kb)(void *be, const char *now, char *err, size_t errlen);
	/* Commit, or with rollback throw the transaction away. */
	int (*end)(void *be, int rollback, char *err, size_t errlen);
	/*
	 * Run one statement with $1..$n text parameters (NULL for NULL) and
	 * call row for each result row with its values as text (NULL for
	 * NULL).  A non-zero return from row stops and is returned.
	 */
	int (*query)(void *be, const char *sql, int n,
	    const char *const *params,
	    int (*row)(void *arg, int ncols, const char *const *vals),
	    void *arg, char *err, size_t errlen);
	/* As store_migrate(); with check, only report the version. */
	int (*migrate)(void *be, int check, int *applied, int *version,
	    char *err, size_t errlen);
	void (*close)(void *be);
};

int store_sqlite_open(const char *path, int flags, void **be,
    const struct store_backend **ops, char *err, size_t errlen);
int store_pg_open(const char *url, const char *where, void **be,
    const struct store_backend **ops, char *err, size_t errlen);

#endif
