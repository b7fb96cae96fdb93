/*
 * store-sqlite: the SQLite backend of store.
 *
 * One file in WAL mode with synchronous=NORMAL: readers never wait for the
 * writer, and a commit costs no fsync (a crash can lose the last commits,
 * never corrupt the file; the spool replays what was lost).  Writers take
 * the write lock up front with BEGIN IMMEDIATE, so a transaction never has
 * to give up half-way because another process wrote first, and a busy
 * handler that naps briefly and never gives up makes the second writer
 * wait its turn instead of failing with "database is locked".
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "rfc3339.h"
#include "sig.h"

struct sq {
	sqlite3 *db;
	sqlite3_stmt *load_inc, *load_kb, *put_inc, *put_ev, *put_kb;
	sqlite3_stmt *bump_kb;
	/* The statements of sq_query by their SQL: compiling one costs more
	 * than running it (inc-httpd looks an id up on every POST). */
	struct { char *sql; sqlite3_stmt *st; } q[16];
};

/*
 * Migration N brings the schema from version N-1 to N.  Never edit one
 * that has shipped: databases out there have already run it.  The same
 * numbers exist, with the same meaning, in store-pg.c.
 */
static const char *const migrations[] = {
	/* 1: the tables of DESIGN §4 */
	"CREATE TABLE incidents ("
	" id TEXT PRIMARY KEY NOT NULL, kind TEXT, title TEXT, type TEXT,"
	" source TEXT, severity TEXT, status TEXT, classification_method TEXT,"
	" created_at TEXT, updated_at TEXT, reported_at TEXT,"
	" acknowledged_at TEXT, acknowledged_by TEXT, resolved_at TEXT,"
	" resolution TEXT, version INTEGER NOT NULL, record TEXT NOT NULL);"
	"CREATE INDEX incidents_created_at ON incidents (created_at);"
	"CREATE TABLE events ("
	" seq INTEGER PRIMARY KEY, incident_id TEXT NOT NULL, at TEXT NOT NULL,"
	" type TEXT NOT NULL, actor TEXT, detail TEXT);"
	"CREATE INDEX events_incident ON events (incident_id, seq);"
	"CREATE TABLE kb ("
	" id TEXT PRIMARY KEY NOT NULL, title TEXT, severity TEXT,"
	" resolution TEXT, model TEXT, dim INTEGER, vector BLOB,"
	" record TEXT NOT NULL, updated_at TEXT, version INTEGER NOT NULL);"
	"CREATE INDEX kb_model ON kb (model);"
	"CREATE TABLE kb_meta ("
	" id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL,"
	" updated_at TEXT);"
	"INSERT INTO kb_meta (id, version) VALUES (1, 0);",
};

static const char sql_load_inc[] =
	"SELECT version, record FROM incidents WHERE id = $1";
static const char sql_load_kb[] =
	"SELECT version, record FROM kb WHERE id = $1";
static const char sql_put_inc[] =
	"INSERT INTO incidents (id, kind, title, type, source, severity,"
	" status, classification_method, created_at, updated_at, reported_at,"
	" acknowledged_at, acknowledged_by, resolved_at, resolution, version,"
	" record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
	" $13, $14, $15, $16, $17)"
	" ON CONFLICT (id) DO UPDATE SET kind = excluded.kind,"
	" title = excluded.title, type = excluded.type,"
	" source = excluded.source, severity = excluded.severity,"
	" status = excluded.status,"
	" classification_method = excluded.classification_method,"
	" created_at = coalesce(incidents.created_at, excluded.created_at),"
	" updated_at = excluded.updated_at,"
	" reported_at = excluded.reported_at,"
	" acknowledged_at = excluded.acknowledged_at,"
	" acknowledged_by = excluded.acknowledged_by,"
	" resolved_at = excluded.resolved_at,"
	" resolution = excluded.resolution, version = excluded.version,"
	" record = excluded.record";
static const char sql_put_ev[] =
	"INSERT INTO events (incident_id, at, type, actor, detail)"
	" VALUES ($1, $2, $3, $4, $5)";
static const char sql_put_kb[] =
	"INSERT INTO kb (id, title, severity, resolution, model, dim, record,"
	" updated_at, version, vector) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
	" $9, $10)"
	" ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
	" severity = excluded.severity, resolution = excluded.resolution,"
	" model = excluded.model, dim = excluded.dim, record = excluded.record,"
	" updated_at = excluded.updated_at, version = excluded.version,"
	" vector = excluded.vector";
static const char sql_bump_kb[] =
	"UPDATE kb_meta SET version = version + 1, updated_at = $1"
	" WHERE id = 1";

static int
is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static int
fail(struct sq *sq, int rc, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s", sq->db ? sqlite3_errmsg(sq->db) :
	    sqlite3_errstr(rc));
	return is_busy(rc) ? STORE_RETRY : STORE_ERR;
}

static void
nap(long usec)
{
	struct timespec ts = { 0, usec * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * The other writer holds the lock for one batch, a few milliseconds: poll
 * often (SQLite's own handler sleeps up to 100 ms between tries, which
 * lets one writer starve the other), and never give up, except when we
 * are asked to stop.
 */
static int
on_busy(void *arg, int n)
{
	(void)arg;
	if (sig_stop)
		return 0;
	nap(n < 50 ? 200 : 1000);
	return 1;
}

/*
 * Run a statement that returns no rows.  SQLITE_BUSY can still come back
 * without the handler being asked (WAL recovery, a checkpoint in
 * progress): wait and try again, as the handler would have.
 */
static int
exec_wait(struct sq *sq, const char *sql, char *err, size_t errlen)
{
	for (;;) {
		int rc = sqlite3_exec(sq->db, sql, NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if (!is_busy(rc) || sig_stop)
			return fail(sq, rc, err, errlen);
		nap(1000);
	}
}

static int
prep(struct sq *sq, sqlite3_stmt **st, const char *sql, char *err,
    size_t errlen)
{
	int rc;

	if (*st)
		return 0;
	rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    st, NULL);
	if (rc != SQLITE_OK)
		return fail(sq, rc, err, errlen);
	/*
	 * The SQL is shared in spirit with PostgreSQL's $1..$n; SQLite takes
	 * "$1" as a named parameter numbered by first appearance, so bind by
	 * position is right only when each appears first in order.
	 */
	for (int i = 1; i <= sqlite3_bind_parameter_count(*st); i++) {
		const char *name = sqlite3_bind_parameter_name(*st, i);
		if (!name || atoi(name + 1) != i) {
			snprintf(err, errlen, "parameter %d out of order", i);
			return STORE_ERR;
		}
	}
	return 0;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* Step a statement that returns no rows, then reset it. */
static int
step_done(struct sq *sq, sqlite3_stmt *st, char *err, size_t errlen)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return fail(sq, rc, err, errlen);
	return 0;
}

static int
sq_begin(void *be, char *err, size_t errlen)
{
	return exec_wait(be, "BEGIN IMMEDIATE", err, errlen);
}

static int
sq_load(void *be, const char *table, const char *const *ids, size_t n,
    void (*fn)(void *, const char *, int64_t, const char *),
    void *arg, char *err, size_t errlen)
{
	struct sq *sq = be;
	int kb = strcmp(table, "kb") == 0;
	sqlite3_stmt **st = kb ? &sq->load_kb : &sq->load_inc;
	int rc;

	if ((rc = prep(sq, st, kb ? sql_load_kb : sql_load_inc, err,
	    errlen)) < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(*st, 1, ids[i], -1, SQLITE_STATIC);
		rc = sqlite3_step(*st);
		if (rc == SQLITE_ROW)
			fn(arg, ids[i], sqlite3_column_int64(*st, 0),
			    (const char *)sqlite3_column_text(*st, 1));
		sqlite3_reset(*st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return fail(sq, rc, err, errlen);
	}
	return 0;
}

static int
sq_put_incident(void *be, const char *const *cols, int exists, char *err,
    size_t errlen)
{
	struct sq *sq = be;
	int rc;

	/* BEGIN IMMEDIATE keeps every other writer out: no race to lose. */
	(void)exists;
	if ((rc = prep(sq, &sq->put_inc, sql_put_inc, err, errlen)) < 0)
		return rc;
	for (int i = 0; i < STORE_I_NCOLS; i++) {
		if (i == STORE_I_VERSION)
			sqlite3_bind_int64(sq->put_inc, i + 1,
			    strtoll(cols[i], NULL, 10));
		else
			bind_text(sq->put_inc, i + 1, cols[i]);
	}
	return step_done(sq, sq->put_inc, err, errlen);
}

static int
sq_put_event(void *be, const char *const *cols, char *err, size_t errlen)
{
	struct sq *sq = be;
	int rc;

	if ((rc = prep(sq, &sq->put_ev, sql_put_ev, err, errlen)) < 0)
		return rc;
	for (int i = 0; i < STORE_E_NCOLS; i++)
		bind_text(sq->put_ev, i + 1, cols[i]);
	return step_done(sq, sq->put_ev, err, errlen);
}

static int
sq_put_kb(void *be, const char *const *cols, const void *vec, size_t veclen,
    int exists, char *err, size_t errlen)
{
	struct sq *sq = be;
	sqlite3_stmt *st;
	int rc;

	(void)exists;
	if ((rc = prep(sq, &sq->put_kb, sql_put_kb, err, errlen)) < 0)
		return rc;
	st = sq->put_kb;
	for (int i = 0; i < STORE_K_NCOLS; i++) {
		if ((i == STORE_K_DIM || i == STORE_K_VERSION) && cols[i])
			sqlite3_bind_int64(st, i + 1,
			    strtoll(cols[i], NULL, 10));
		else
			bind_text(st, i + 1, cols[i]);
	}
	if (vec)
		sqlite3_bind_blob(st, STORE_K_NCOLS + 1, vec, (int)veclen,
		    SQLITE_STATIC);
	else
		sqlite3_bind_null(st, STORE_K_NCOLS + 1);
	return step_done(sq, st, err, errlen);
}

static int
sq_bump_kb(void *be, const char *now, char *err, size_t errlen)
{
	struct sq *sq = be;
	int rc;

	if ((rc = prep(sq, &sq->bump_kb, sql_bump_kb, err, errlen)) < 0)
		return rc;
	bind_text(sq->bump_kb, 1, now);
	return step_done(sq, sq->bump_kb, err, errlen);
}

static int
sq_end(void *be, int rollback, char *err, size_t errlen)
{
	struct sq *sq = be;

	if (rollback) {
		if (sqlite3_get_autocommit(sq->db))
			return 0;
		return exec_wait(sq, "ROLLBACK", err, errlen);
	}
	return exec_wait(sq, "COMMIT", err, errlen);
}

static int
sq_query(void *be, const char *sql, int n, const char *const *params,
    int (*row)(void *, int, const char *const *), void *arg, char *err,
    size_t errlen)
{
	struct sq *sq = be;
	sqlite3_stmt *st;
	const char **vals = NULL;
	int rc, ncols, ret = 0;
	char name[16];

	int cached = -1;

	for (int i = 0; i < 16 && sq->q[i].sql && cached < 0; i++)
		if (strcmp(sq->q[i].sql, sql) == 0)
			cached = i;
	if (cached >= 0) {
		st = sq->q[cached].st;
	} else {
		rc = sqlite3_prepare_v3(sq->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK)
			return fail(sq, rc, err, errlen);
		for (int i = 0; i < 16 && cached < 0; i++)
			if (!sq->q[i].sql && (sq->q[i].sql = strdup(sql))) {
				sq->q[i].st = st;
				cached = i;
			}
	}
	for (int i = 1; i <= n; i++) {
		snprintf(name, sizeof name, "$%d", i);
		int idx = sqlite3_bind_parameter_index(st, name);
		if (idx > 0)
			bind_text(st, idx, params[i - 1]);
	}
	ncols = sqlite3_column_count(st);
	vals = calloc((size_t)ncols + 1, sizeof *vals);
	if (!vals) {
		if (cached < 0)
			sqlite3_finalize(st);
		else
			sqlite3_clear_bindings(st);
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_BUSY && !sig_stop) {
			/* Only in WAL recovery; the handler is not asked. */
			sqlite3_reset(st);
			nap(1000);
			continue;
		}
		if (rc != SQLITE_ROW)
			break;
		for (int i = 0; i < ncols; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		if ((ret = row(arg, ncols, vals)) != 0)
			break;
	}
	free(vals);
	if (ret == 0 && rc != SQLITE_DONE)
		ret = fail(sq, rc, err, errlen);
	/* A statement left mid-result would hold its read snapshot open:
	 * later reads would not see new rows, and checkpoints would stall. */
	if (cached < 0) {
		sqlite3_finalize(st);
	} else {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
	return ret;
}

/* The schema version, 0 for a database that has none yet. */
static int
schema_version(struct sq *sq, int *version, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(sq->db, "SELECT coalesce(max(version), 0)"
	    " FROM schema_migrations", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		if (strstr(sqlite3_errmsg(sq->db), "no such table")) {
			*version = 0;
			return 0;
		}
		return fail(sq, rc, err, errlen);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY && !sig_stop) {
		sqlite3_reset(st);
		nap(1000);
	}
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(sq, rc, err, errlen);
	return 0;
}

static int
sq_migrate(void *be, int check, int *applied, int *version, char *err,
    size_t errlen)
{
	struct sq *sq = be;
	int n = (int)(sizeof migrations / sizeof migrations[0]);
	int rc, v;

	*applied = 0;
	if (check)
		return schema_version(sq, version, err, errlen);
	/* Up to date, as almost always: no lock, one look. */
	if (schema_version(sq, &v, err, errlen) == 0 && v == n) {
		*version = v;
		return 0;
	}
	for (;;) {
		char now[RFC3339_LEN], sql[128];

		/* Under the write lock: two processes migrate one at a time. */
		if ((rc = exec_wait(sq, "BEGIN IMMEDIATE", err, errlen)) < 0)
			return rc;
		if ((rc = exec_wait(sq, "CREATE TABLE IF NOT EXISTS"
		    " schema_migrations (version INTEGER PRIMARY KEY,"
		    " applied_at TEXT NOT NULL)", err, errlen)) < 0 ||
		    (rc = schema_version(sq, &v, err, errlen)) < 0)
			goto rollback;
		*version = v;
		if (v > n) {
			snprintf(err, errlen, "schema version %d is newer than"
			    " this program knows (%d)", v, n);
			rc = STORE_ERR;
			goto rollback;
		}
		if (v == n)
			return exec_wait(sq, "COMMIT", err, errlen);
		rfc3339_now(now, sizeof now);
		snprintf(sql, sizeof sql, "INSERT INTO schema_migrations"
		    " VALUES (%d, '%s')", v + 1, now);
		if ((rc = exec_wait(sq, migrations[v], err, errlen)) < 0 ||
		    (rc = exec_wait(sq, sql, err, errlen)) < 0 ||
		    (rc = exec_wait(sq, "COMMIT", err, errlen)) < 0)
			goto rollback;
		(*applied)++;
		*version = v + 1;
	}
rollback:
	sqlite3_exec(sq->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void
sq_close(void *be)
{
	struct sq *sq = be;

	if (!sq)
		return;
	sqlite3_finalize(sq->load_inc);
	sqlite3_finalize(sq->load_kb);
	sqlite3_finalize(sq->put_inc);
	sqlite3_finalize(sq->put_ev);
	sqlite3_finalize(sq->put_kb);
	sqlite3_finalize(sq->bump_kb);
	for (int i = 0; i < 16 && sq->q[i].sql; i++) {
		sqlite3_finalize(sq->q[i].st);
		free(sq->q[i].sql);
	}
	/*
	 * After a bulk load, though, a large WAL makes every later process
	 * read all of it when it opens the database (20 ms per inc-match
	 * after loading a 10k-document knowledge base): copy it back now,
	 * once, rather than at each reader's start.  Small logs are left to
	 * wal_autocheckpoint, as above.
	 */
	const char *file = sq->db ? sqlite3_db_filename(sq->db, "main") : NULL;
	if (file && *file) {
		char wal[4096];
		struct stat st;
		snprintf(wal, sizeof wal, "%s-wal", file);
		/* A reader or writer elsewhere may hold it up: wait a
		 * little, not for ever, then settle for a passive copy. */
		sqlite3_busy_timeout(sq->db, 2000);
		if (stat(wal, &st) == 0 && st.st_size > 4 * 1024 * 1024 &&
		    sqlite3_wal_checkpoint_v2(sq->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
			sqlite3_wal_checkpoint_v2(sq->db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	}
	sqlite3_close(sq->db);
	free(sq);
}

static const struct store_backend sqlite_backend = {
	.name = "sqlite",
	.vector_hex = "hex(vector)",
	.begin = sq_begin,
	.load = sq_load,
	.put_incident = sq_put_incident,
	.put_event = sq_put_event,
	.put_kb = sq_put_kb,
	.bump_kb = sq_bump_kb,
	.end = sq_end,
	.query = sq_query,
	.migrate = sq_migrate,
	.close = sq_close,
};

int
store_sqlite_open(const char *path, int flags, void **be,
    const struct store_backend **ops, char *err, size_t errlen)
{
	/* One thread per connection: SQLite's own mutexes are waste. */
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX;
	struct sq *sq;
	int rc, memory = strcmp(path, ":memory:") == 0;

	/* A dry run must not leave a new file behind. */
	if ((flags & STORE_DRY_RUN) && !memory) {
		if (access(path, F_OK) < 0 && errno == ENOENT)
			path = ":memory:", memory = 1;
		else
			oflags &= ~SQLITE_OPEN_CREATE;
	}
	sq = calloc(1, sizeof *sq);
	if (!sq) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	rc = sqlite3_open_v2(path, &sq->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		int e = sq->db ? sqlite3_system_errno(sq->db) : 0;
		snprintf(err, errlen, "%s", e ? strerror(e) :
		    sq->db ? sqlite3_errmsg(sq->db) : sqlite3_errstr(rc));
		sq_close(sq);
		return STORE_ERR;
	}
	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_handler(sq->db, on_busy, NULL);
	/*
	 * No checkpoint at close: it cost a one-record run four fsyncs, and
	 * the WAL is part of the database anyway.  The commit that fills the
	 * WAL up to wal_autocheckpoint copies it back instead.
	 */
	sqlite3_db_config(sq->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/*
	 * WAL: the pipeline's writers and a person's `inc-store list` never
	 * block each other.  NORMAL: no fsync per commit; WAL keeps the file
	 * consistent whatever happens.  The journal mode sticks to the file;
	 * asking again is cheap.
	 */
	if ((!memory && (rc = exec_wait(sq, "PRAGMA journal_mode=WAL", err,
	    errlen)) < 0) ||
	    (rc = exec_wait(sq, "PRAGMA synchronous=NORMAL;"
	    " PRAGMA wal_autocheckpoint=16384", err,
	    errlen)) < 0) {
		sq_close(sq);
		return STORE_ERR;
	}
	if (memory && (flags & STORE_DRY_RUN)) {
		int applied, version;
		if (sq_migrate(sq, 0, &applied, &version, err, errlen) < 0) {
			sq_close(sq);
			return STORE_ERR;
		}
	}
	*be = sq;
	*ops = &sqlite_backend;
	return 0;
}
