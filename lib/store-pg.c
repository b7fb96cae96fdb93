/*
 * store-pg: the PostgreSQL backend of store, over libpq.
 *
 * A batch costs two round trips whatever its size.  The first opens the
 * transaction and locks the batch's existing rows (SELECT ... FOR UPDATE
 * in id order, so two writers lock in the same order and cannot deadlock).
 * The second writes everything with one multi-row statement per kind of
 * write (binary arrays passed as parameters and unnested: new rows by
 * INSERT, locked rows by UPDATE) and commits.  A row that another writer
 * created after our SELECT makes our INSERT fail with a unique violation:
 * the batch is then redone, and sees that row.  Both trips go out in pipeline
 * mode: BEGIN, the statements and COMMIT leave in one write.
 */
#include "store.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpq-fe.h>

#include "rfc3339.h"

/*
 * libpq and what it stands on (OpenSSL, GnuTLS, Kerberos, LDAP) add about
 * 5 ms to the start of every process that links them, paid by every
 * one-record pipe into SQLite.  So libpq is loaded when a PostgreSQL URL
 * is opened, and called through this table.
 */
#define PQ_CALLS(X) \
	X(PQclear) \
	X(PQconnectdbParams) \
	X(PQenterPipelineMode) \
	X(PQerrorMessage) \
	X(PQexec) \
	X(PQexecParams) \
	X(PQexitPipelineMode) \
	X(PQfinish) \
	X(PQgetResult) \
	X(PQgetisnull) \
	X(PQgetvalue) \
	X(PQnfields) \
	X(PQntuples) \
	X(PQpipelineSync) \
	X(PQreset) \
	X(PQresultErrorField) \
	X(PQresultErrorMessage) \
	X(PQresultStatus) \
	X(PQsendQueryParams) \
	X(PQsetNoticeProcessor) \
	X(PQstatus) \
	X(PQtransactionStatus)

static struct {
#define FIELD(name) __typeof__(&name) name;
	PQ_CALLS(FIELD)
#undef FIELD
} pq;

/* Load libpq once.  0, or -1 with the reason. */
static int
pq_load(char *err, size_t errlen)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	static char why[256];
	void *h;

	if (state == 0) {
		state = -1;
		if (!(h = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL))) {
			snprintf(why, sizeof why, "PostgreSQL needs libpq: %s",
			    dlerror());
			goto out;
		}
#define LOAD(name) \
		if (!(*(void **)&pq.name = dlsym(h, #name))) { \
			snprintf(why, sizeof why, "PostgreSQL needs libpq:" \
			    " %s", dlerror()); \
			goto out; \
		}
		PQ_CALLS(LOAD)
#undef LOAD
		state = 1;
	}
out:
	if (state < 0)
		snprintf(err, errlen, "%s", why);
	return state > 0 ? 0 : -1;
}

/* Type oids, for the element type of a binary array (pg_type.dat). */
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT4 23
#define OID_TEXT 25

/*
 * One column of a batch as a one-dimensional array in PostgreSQL's binary
 * format (array_recv): no quoting to add, none for the server to undo.
 */
struct pgarr {
	char *p;
	size_t len, cap;
	unsigned oid;
	int n, hasnull, oom;
};

struct pg {
	PGconn *conn;
	int begun;		/* BEGIN is queued, not sent yet */
	/* [0]: rows to insert, [1]: rows to update */
	struct pgarr inc[2][STORE_I_NCOLS], ev[STORE_E_NCOLS];
	struct pgarr kb[2][STORE_K_NCOLS + 1];
	size_t n_inc[2], n_ev, n_kb[2];
	int bump;
	char bump_at[RFC3339_LEN];
};

/* Same numbers and meaning as in store-sqlite.c; never edit a shipped one. */
static const char *const migrations[] = {
	/*
	 * 1: the tables of DESIGN §4.  Ids and times compare byte by byte,
	 * as in SQLite: the same order on both, whatever the database's
	 * locale, and no locale to consult on every index probe.
	 */
	"CREATE TABLE incidents ("
	" id text COLLATE \"C\" PRIMARY KEY, kind text, title text, type text,"
	" source text, severity text, status text, classification_method text,"
	" created_at text COLLATE \"C\", updated_at text, reported_at text,"
	" acknowledged_at text, acknowledged_by text, resolved_at text,"
	" resolution text, version bigint NOT NULL, record text NOT NULL);"
	"CREATE INDEX incidents_created_at ON incidents (created_at);"
	"CREATE TABLE events ("
	" seq bigserial PRIMARY KEY, incident_id text COLLATE \"C\" NOT NULL,"
	" at text NOT NULL, type text NOT NULL, actor text, detail text);"
	"CREATE INDEX events_incident ON events (incident_id, seq);"
	"CREATE TABLE kb ("
	" id text COLLATE \"C\" PRIMARY KEY, title text, severity text,"
	" resolution text, model text, dim integer, vector bytea,"
	" record text NOT NULL, updated_at text, version bigint NOT NULL);"
	"CREATE INDEX kb_model ON kb (model);"
	"CREATE TABLE kb_meta ("
	" id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL,"
	" updated_at text);"
	"INSERT INTO kb_meta (id, version) VALUES (1, 0);",
};

/* Any number: it only has to be the same in every inc-store. */
#define MIGRATE_LOCK "7340291"

#define INC_UNNEST \
	" unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]," \
	" $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]," \
	" $11::text[], $12::text[], $13::text[], $14::text[], $15::text[]," \
	" $16::bigint[], $17::text[])"
static const char sql_ins_inc[] =
	"INSERT INTO incidents (id, kind, title, type, source, severity,"
	" status, classification_method, created_at, updated_at, reported_at,"
	" acknowledged_at, acknowledged_by, resolved_at, resolution, version,"
	" record) SELECT * FROM" INC_UNNEST;
static const char sql_upd_inc[] =
	"UPDATE incidents AS i SET kind = u.kind, title = u.title,"
	" type = u.type, source = u.source, severity = u.severity,"
	" status = u.status, classification_method = u.method,"
	" updated_at = u.updated_at, reported_at = u.reported_at,"
	" acknowledged_at = u.ack_at, acknowledged_by = u.ack_by,"
	" resolved_at = u.resolved_at, resolution = u.resolution,"
	" version = u.version, record = u.record FROM" INC_UNNEST
	" AS u(id, kind, title, type, source, severity, status, method,"
	" created_at, updated_at, reported_at, ack_at, ack_by, resolved_at,"
	" resolution, version, record) WHERE i.id = u.id";
static const char sql_put_ev[] =
	"INSERT INTO events (incident_id, at, type, actor, detail)"
	" SELECT a, b, c, d, e FROM unnest($1::text[], $2::text[],"
	" $3::text[], $4::text[], $5::text[]) WITH ORDINALITY"
	" AS u(a, b, c, d, e, n) ORDER BY n";
#define KB_UNNEST \
	" unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]," \
	" $6::integer[], $7::text[], $8::text[], $9::bigint[], $10::bytea[])"
static const char sql_ins_kb[] =
	"INSERT INTO kb (id, title, severity, resolution, model, dim, record,"
	" updated_at, version, vector) SELECT * FROM" KB_UNNEST;
static const char sql_upd_kb[] =
	"UPDATE kb AS k SET title = u.title, severity = u.severity,"
	" resolution = u.resolution, model = u.model, dim = u.dim,"
	" record = u.record, updated_at = u.updated_at, version = u.version,"
	" vector = u.vector FROM" KB_UNNEST " AS u(id, title, severity,"
	" resolution, model, dim, record, updated_at, version, vector)"
	" WHERE k.id = u.id";
static const char sql_bump_kb[] =
	"UPDATE kb_meta SET version = version + 1, updated_at = $1"
	" WHERE id = 1";

static void
put_bytes(struct pgarr *a, const void *s, size_t n)
{
	if (a->oom)
		return;
	if (a->len + n > a->cap) {
		size_t cap = a->cap ? a->cap : 4096;
		char *p;
		while (cap < a->len + n)
			cap *= 2;
		if (!(p = realloc(a->p, cap))) {
			a->oom = 1;
			return;
		}
		a->p = p;
		a->cap = cap;
	}
	memcpy(a->p + a->len, s, n);
	a->len += n;
}

/* The wire is big-endian. */
static void
put_be32(struct pgarr *a, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	put_bytes(a, b, 4);
}

/* Start a column: room for the header, filled in by arr_end(). */
static void
arr_start(struct pgarr *a, unsigned oid)
{
	static const char header[20];

	a->len = 0;
	a->n = a->hasnull = a->oom = 0;
	a->oid = oid;
	put_bytes(a, header, sizeof header);
}

/* Append an element of len bytes at s; NULL for SQL NULL. */
static void
arr_add(struct pgarr *a, const void *s, size_t len)
{
	a->n++;
	if (!s) {
		a->hasnull = 1;
		put_be32(a, 0xffffffffu);	/* length -1 */
		return;
	}
	put_be32(a, (uint32_t)len);
	put_bytes(a, s, len);
}

static void
arr_text(struct pgarr *a, const char *s)
{
	arr_add(a, s, s ? strlen(s) : 0);
}

/* An integer column, from the decimal text the store hands us. */
static void
arr_int(struct pgarr *a, const char *s)
{
	unsigned char b[8];
	uint64_t v;
	int n = a->oid == OID_INT8 ? 8 : 4;

	if (!s) {
		arr_add(a, NULL, 0);
		return;
	}
	v = (uint64_t)strtoll(s, NULL, 10);
	for (int i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	arr_add(a, b, (size_t)n);
}

/* Fill in the header: one dimension of n elements from index 1. */
static const char *
arr_end(struct pgarr *a, int *len)
{
	uint32_t h[5] = { 1, (uint32_t)a->hasnull, a->oid, (uint32_t)a->n,
	    1 };

	if (a->oom)
		return NULL;
	for (int i = 0; i < 5; i++) {
		unsigned char *b = (unsigned char *)a->p + 4 * i;
		b[0] = (unsigned char)(h[i] >> 24);
		b[1] = (unsigned char)(h[i] >> 16);
		b[2] = (unsigned char)(h[i] >> 8);
		b[3] = (unsigned char)h[i];
	}
	*len = (int)a->len;
	return a->p;
}

/* The element type of each column of a batch. */
static unsigned
inc_oid(int col)
{
	return col == STORE_I_VERSION ? OID_INT8 : OID_TEXT;
}

static unsigned
kb_oid(int col)
{
	if (col == STORE_K_DIM)
		return OID_INT4;
	if (col == STORE_K_VERSION)
		return OID_INT8;
	return col == STORE_K_NCOLS ? OID_BYTEA : OID_TEXT;
}

static void
reset_batch(struct pg *pg)
{
	for (int e = 0; e < 2; e++) {
		for (int i = 0; i < STORE_I_NCOLS; i++)
			arr_start(&pg->inc[e][i], inc_oid(i));
		for (int i = 0; i <= STORE_K_NCOLS; i++)
			arr_start(&pg->kb[e][i], kb_oid(i));
		pg->n_inc[e] = pg->n_kb[e] = 0;
	}
	for (int i = 0; i < STORE_E_NCOLS; i++)
		arr_start(&pg->ev[i], OID_TEXT);
	pg->n_ev = 0;
	pg->bump = 0;
}

/* libpq's messages span lines; ours are one line. */
static void
one_line(char *err, size_t errlen, const char *msg)
{
	size_t n = 0;
	int space = 0;

	for (const char *p = msg ? msg : ""; *p && n + 1 < errlen; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < errlen)
			err[n++] = ' ';
		space = 0;
		err[n++] = *p;
	}
	if (errlen)
		err[n] = '\0';
}

/*
 * Lost a race (serialization failure, deadlock, a row created by another
 * writer since we looked) or the connection.
 */
static int
retryable(PGconn *conn, const PGresult *r)
{
	const char *state = r ? pq.PQresultErrorField(r, PG_DIAG_SQLSTATE) :
	    NULL;

	if (pq.PQstatus(conn) == CONNECTION_BAD)
		return 1;
	return state && (strcmp(state, "40001") == 0 ||
	    strcmp(state, "40P01") == 0 || strcmp(state, "23505") == 0);
}

/* A query of a pipeline; lens NULL: all parameters are text. */
struct pgq {
	const char *sql;
	int n;
	const char *const *params;
	const int *lens;
};

/*
 * Send the queries in one pipeline, then read every answer.  The rows of
 * query number keep are handed back in *rows (else NULL).  On the first
 * failure the rest of the pipeline is skipped by the server; the error is
 * the first one.
 */
static int
run(struct pg *pg, const struct pgq *q, int nq, int keep, PGresult **rows,
    char *err, size_t errlen)
{
	int rc = 0;

	if (rows)
		*rows = NULL;
	if (!pq.PQenterPipelineMode(pg->conn)) {
		one_line(err, errlen, pq.PQerrorMessage(pg->conn));
		return STORE_ERR;
	}
	for (int i = 0; i < nq; i++) {
		/* Binary parameters where lengths are given. */
		static const int binary[STORE_I_NCOLS + 1] = {
			1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
		};
		if (!pq.PQsendQueryParams(pg->conn, q[i].sql, q[i].n, NULL,
		    q[i].params, q[i].lens, q[i].lens ? binary : NULL, 0)) {
			one_line(err, errlen, pq.PQerrorMessage(pg->conn));
			rc = retryable(pg->conn, NULL) ? STORE_RETRY :
			    STORE_ERR;
			nq = i;
			break;
		}
	}
	if (!pq.PQpipelineSync(pg->conn) && rc == 0) {
		one_line(err, errlen, pq.PQerrorMessage(pg->conn));
		rc = retryable(pg->conn, NULL) ? STORE_RETRY : STORE_ERR;
	}
	for (int i = 0; i < nq && pq.PQstatus(pg->conn) == CONNECTION_OK; i++) {
		PGresult *r;
		while ((r = pq.PQgetResult(pg->conn)) != NULL) {
			ExecStatusType s = pq.PQresultStatus(r);
			if (s == PGRES_FATAL_ERROR && rc == 0) {
				one_line(err, errlen,
				    pq.PQresultErrorMessage(r));
				rc = retryable(pg->conn, r) ? STORE_RETRY :
				    STORE_ERR;
			}
			if (i == keep && s == PGRES_TUPLES_OK && rows) {
				*rows = r;
				continue;
			}
			pq.PQclear(r);
		}
	}
	/* Then the sync point, and back to plain mode. */
	for (int nulls = 0; nulls < 100;) {
		PGresult *r = pq.PQgetResult(pg->conn);
		if (!r) {
			if (pq.PQstatus(pg->conn) != CONNECTION_OK)
				break;
			nulls++;
			continue;
		}
		int sync = pq.PQresultStatus(r) == PGRES_PIPELINE_SYNC;
		pq.PQclear(r);
		if (sync)
			break;
	}
	if (pq.PQstatus(pg->conn) != CONNECTION_OK) {
		if (rc == 0)
			one_line(err, errlen, pq.PQerrorMessage(pg->conn));
		rc = STORE_RETRY;
	} else if (!pq.PQexitPipelineMode(pg->conn) && rc == 0) {
		one_line(err, errlen, pq.PQerrorMessage(pg->conn));
		rc = STORE_ERR;
	}
	if (rc < 0 && rows && *rows) {
		pq.PQclear(*rows);
		*rows = NULL;
	}
	return rc;
}

static int
pg_begin(void *be, char *err, size_t errlen)
{
	struct pg *pg = be;

	/* A server restart drops the connection: come back once per batch. */
	if (pq.PQstatus(pg->conn) != CONNECTION_OK) {
		pq.PQreset(pg->conn);
		if (pq.PQstatus(pg->conn) != CONNECTION_OK) {
			one_line(err, errlen, pq.PQerrorMessage(pg->conn));
			return STORE_ERR;
		}
	}
	reset_batch(pg);
	pg->begun = 1;
	return 0;
}

static int
pg_load(void *be, const char *table, const char *const *ids, size_t n,
    void (*fn)(void *, const char *, int64_t, const char *),
    void *arg, char *err, size_t errlen)
{
	struct pg *pg = be;
	struct pgarr arr = { 0 };
	struct pgq q[2];
	char sel[192];
	const char *params[1];
	int lens[1], nq = 0, rc;
	PGresult *rows;

	arr_start(&arr, OID_TEXT);
	for (size_t i = 0; i < n; i++)
		arr_text(&arr, ids[i]);
	if (!(params[0] = arr_end(&arr, &lens[0]))) {
		free(arr.p);
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	/* Byte order, whatever the database's collation: the order that
	 * every writer locks in must be one and the same. */
	snprintf(sel, sizeof sel, "SELECT id, version, record FROM %s"
	    " WHERE id = ANY($1::text[]) ORDER BY id COLLATE \"C\""
	    " FOR UPDATE", table);
	if (pg->begun)
		q[nq++] = (struct pgq){ "BEGIN", 0, NULL, NULL };
	q[nq++] = (struct pgq){ sel, 1, params, lens };
	rc = run(pg, q, nq, nq - 1, &rows, err, errlen);
	free(arr.p);
	if (rc < 0)
		return rc;
	pg->begun = 0;
	for (int i = 0; rows && i < pq.PQntuples(rows); i++)
		fn(arg, pq.PQgetvalue(rows, i, 0),
		    strtoll(pq.PQgetvalue(rows, i, 1), NULL, 10),
		    pq.PQgetvalue(rows, i, 2));
	pq.PQclear(rows);
	return 0;
}

/* Add one row to the columns cols of a batch. */
static void
add_row(struct pgarr *arr, const char *const *cols, int ncols)
{
	for (int i = 0; i < ncols; i++) {
		if (arr[i].oid == OID_INT8 || arr[i].oid == OID_INT4)
			arr_int(&arr[i], cols[i]);
		else
			arr_text(&arr[i], cols[i]);
	}
}

static int
pg_put_incident(void *be, const char *const *cols, int exists, char *err,
    size_t errlen)
{
	struct pg *pg = be;

	(void)err, (void)errlen;
	exists = !!exists;
	add_row(pg->inc[exists], cols, STORE_I_NCOLS);
	pg->n_inc[exists]++;
	return 0;
}

static int
pg_put_event(void *be, const char *const *cols, char *err, size_t errlen)
{
	struct pg *pg = be;

	(void)err, (void)errlen;
	add_row(pg->ev, cols, STORE_E_NCOLS);
	pg->n_ev++;
	return 0;
}

static int
pg_put_kb(void *be, const char *const *cols, const void *vec, size_t veclen,
    int exists, char *err, size_t errlen)
{
	struct pg *pg = be;

	(void)err, (void)errlen;
	exists = !!exists;
	add_row(pg->kb[exists], cols, STORE_K_NCOLS);
	arr_add(&pg->kb[exists][STORE_K_NCOLS], vec, veclen);
	pg->n_kb[exists]++;
	return 0;
}

static int
pg_bump_kb(void *be, const char *now, char *err, size_t errlen)
{
	struct pg *pg = be;

	(void)err, (void)errlen;
	pg->bump = 1;
	snprintf(pg->bump_at, sizeof pg->bump_at, "%s", now);
	return 0;
}

/* Queue the statement sql over the ncols columns arr, as binary arrays. */
static void
queue_rows(struct pgq *q, const char *sql, struct pgarr *arr, int ncols,
    const char **params, int *lens, int *oom)
{
	for (int i = 0; i < ncols; i++)
		*oom |= !(params[i] = arr_end(&arr[i], &lens[i]));
	*q = (struct pgq){ sql, ncols, params, lens };
}

static int
pg_end(void *be, int rollback, char *err, size_t errlen)
{
	struct pg *pg = be;
	const char *pi[2][STORE_I_NCOLS], *pe[STORE_E_NCOLS];
	const char *pk[2][STORE_K_NCOLS + 1], *pb[1] = { pg->bump_at };
	int li[2][STORE_I_NCOLS], le[STORE_E_NCOLS], lk[2][STORE_K_NCOLS + 1];
	static const char *const inc_sql[] = { sql_ins_inc, sql_upd_inc };
	static const char *const kb_sql[] = { sql_ins_kb, sql_upd_kb };
	struct pgq q[9];
	int nq = 0, rc, oom = 0;

	if (rollback) {
		/* Nothing was sent, or the server has to forget it. */
		reset_batch(pg);
		if (!pg->begun && pq.PQstatus(pg->conn) == CONNECTION_OK &&
		    pq.PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
			pq.PQclear(pq.PQexec(pg->conn, "ROLLBACK"));
		pg->begun = 0;
		return 0;
	}
	/* Rows were queued without a load (never so far): open the block. */
	if (pg->begun)
		q[nq++] = (struct pgq){ "BEGIN", 0, NULL, NULL };
	for (int e = 0; e < 2; e++)
		if (pg->n_inc[e])
			queue_rows(&q[nq++], inc_sql[e], pg->inc[e],
			    STORE_I_NCOLS, pi[e], li[e], &oom);
	if (pg->n_ev)
		queue_rows(&q[nq++], sql_put_ev, pg->ev, STORE_E_NCOLS, pe,
		    le, &oom);
	for (int e = 0; e < 2; e++)
		if (pg->n_kb[e])
			queue_rows(&q[nq++], kb_sql[e], pg->kb[e],
			    STORE_K_NCOLS + 1, pk[e], lk[e], &oom);
	if (pg->bump)
		q[nq++] = (struct pgq){ sql_bump_kb, 1, pb, NULL };
	q[nq++] = (struct pgq){ "COMMIT", 0, NULL, NULL };
	pg->begun = 0;
	if (oom) {
		reset_batch(pg);
		if (pq.PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
			pq.PQclear(pq.PQexec(pg->conn, "ROLLBACK"));
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	rc = run(pg, q, nq, -1, NULL, err, errlen);
	reset_batch(pg);
	/* A failed statement leaves the transaction open and aborted. */
	if (rc < 0 && pq.PQstatus(pg->conn) == CONNECTION_OK &&
	    pq.PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		pq.PQclear(pq.PQexec(pg->conn, "ROLLBACK"));
	return rc;
}

static int
pg_query(void *be, const char *sql, int n, const char *const *params,
    int (*row)(void *, int, const char *const *), void *arg, char *err,
    size_t errlen)
{
	struct pg *pg = be;
	PGresult *r;
	const char **vals;
	int ncols, ret = 0;

	if (pq.PQstatus(pg->conn) != CONNECTION_OK)
		pq.PQreset(pg->conn);
	r = pq.PQexecParams(pg->conn, sql, n, NULL, params, NULL, NULL, 0);
	if (pq.PQresultStatus(r) != PGRES_TUPLES_OK &&
	    pq.PQresultStatus(r) != PGRES_COMMAND_OK) {
		one_line(err, errlen, pq.PQresultErrorMessage(r));
		ret = retryable(pg->conn, r) ? STORE_RETRY : STORE_ERR;
		pq.PQclear(r);
		return ret;
	}
	ncols = pq.PQnfields(r);
	vals = calloc((size_t)ncols + 1, sizeof *vals);
	if (!vals) {
		pq.PQclear(r);
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	for (int i = 0; i < pq.PQntuples(r) && ret == 0; i++) {
		for (int j = 0; j < ncols; j++)
			vals[j] = pq.PQgetisnull(r, i, j) ? NULL :
			    pq.PQgetvalue(r, i, j);
		ret = row(arg, ncols, vals);
	}
	free(vals);
	pq.PQclear(r);
	return ret;
}

/* Run a statement (or several, without parameters); 0 or STORE_ERR. */
static int
exec(struct pg *pg, const char *sql, char *err, size_t errlen)
{
	PGresult *r = pq.PQexec(pg->conn, sql);
	int ok = pq.PQresultStatus(r) == PGRES_COMMAND_OK ||
	    pq.PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		one_line(err, errlen, pq.PQresultErrorMessage(r));
	pq.PQclear(r);
	return ok ? 0 : STORE_ERR;
}

static int
schema_version(struct pg *pg, int *version, char *err, size_t errlen)
{
	PGresult *r = pq.PQexec(pg->conn,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations");
	const char *state;

	if (pq.PQresultStatus(r) == PGRES_TUPLES_OK) {
		*version = atoi(pq.PQgetvalue(r, 0, 0));
		pq.PQclear(r);
		return 0;
	}
	state = pq.PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state && strcmp(state, "42P01") == 0) {	/* undefined_table */
		*version = 0;
		pq.PQclear(r);
		return 0;
	}
	one_line(err, errlen, pq.PQresultErrorMessage(r));
	pq.PQclear(r);
	return STORE_ERR;
}

static int
pg_migrate(void *be, int check, int *applied, int *version, char *err,
    size_t errlen)
{
	struct pg *pg = be;
	int n = (int)(sizeof migrations / sizeof migrations[0]);
	int v;

	*applied = 0;
	if (check)
		return schema_version(pg, version, err, errlen);
	/* Up to date, as almost always: no lock, one look. */
	if (schema_version(pg, &v, err, errlen) == 0 && v == n) {
		*version = v;
		return 0;
	}
	for (;;) {
		char now[RFC3339_LEN], sql[128];

		/*
		 * CREATE TABLE IF NOT EXISTS is not safe against a concurrent
		 * CREATE: the advisory lock makes migrators take turns.
		 */
		if (exec(pg, "BEGIN", err, errlen) < 0)
			return STORE_ERR;
		if (exec(pg, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")",
		    err, errlen) < 0 ||
		    exec(pg, "SET LOCAL client_min_messages = warning;"
		    "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version integer PRIMARY KEY, applied_at text NOT NULL)",
		    err, errlen) < 0 ||
		    schema_version(pg, &v, err, errlen) < 0)
			goto rollback;
		*version = v;
		if (v > n) {
			snprintf(err, errlen, "schema version %d is newer than"
			    " this program knows (%d)", v, n);
			goto rollback;
		}
		if (v == n)
			return exec(pg, "COMMIT", err, errlen);
		rfc3339_now(now, sizeof now);
		snprintf(sql, sizeof sql, "INSERT INTO schema_migrations"
		    " VALUES (%d, '%s')", v + 1, now);
		if (exec(pg, migrations[v], err, errlen) < 0 ||
		    exec(pg, sql, err, errlen) < 0 ||
		    exec(pg, "COMMIT", err, errlen) < 0)
			goto rollback;
		(*applied)++;
		*version = v + 1;
	}
rollback:
	pq.PQclear(pq.PQexec(pg->conn, "ROLLBACK"));
	return STORE_ERR;
}

static void
pg_close(void *be)
{
	struct pg *pg = be;

	if (!pg)
		return;
	for (int e = 0; e < 2; e++) {
		for (int i = 0; i < STORE_I_NCOLS; i++)
			free(pg->inc[e][i].p);
		for (int i = 0; i <= STORE_K_NCOLS; i++)
			free(pg->kb[e][i].p);
	}
	for (int i = 0; i < STORE_E_NCOLS; i++)
		free(pg->ev[i].p);
	pq.PQfinish(pg->conn);
	free(pg);
}

static const struct store_backend pg_backend = {
	.name = "postgresql",
	.vector_hex = "encode(vector, 'hex')",
	.begin = pg_begin,
	.load = pg_load,
	.put_incident = pg_put_incident,
	.put_event = pg_put_event,
	.put_kb = pg_put_kb,
	.bump_kb = pg_bump_kb,
	.end = pg_end,
	.query = pg_query,
	.migrate = pg_migrate,
	.close = pg_close,
};

static void
quiet(void *arg, const char *msg)
{
	/* NOTICEs ("relation exists, skipping") are not for our stderr. */
	(void)arg, (void)msg;
}

int
store_pg_open(const char *url, const char *where, void **be,
    const struct store_backend **ops, char *err, size_t errlen)
{
	/*
	 * Settings before dbname are defaults that the URL may override;
	 * settings after it would override the URL.
	 */
	const char *keys[] = { "connect_timeout", "fallback_application_name",
	    "client_encoding", "dbname", NULL };
	const char *vals[] = { "10", "inc-store", "UTF8", url, NULL };
	struct pg *pg;

	(void)where;
	if (pq_load(err, errlen) < 0)
		return STORE_ERR;
	pg = calloc(1, sizeof *pg);
	if (!pg) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	pg->conn = pq.PQconnectdbParams(keys, vals, 1);
	if (!pg->conn || pq.PQstatus(pg->conn) != CONNECTION_OK) {
		one_line(err, errlen, pg->conn ? pq.PQerrorMessage(pg->conn) :
		    "out of memory");
		pg_close(pg);
		return STORE_ERR;
	}
	pq.PQsetNoticeProcessor(pg->conn, quiet, NULL);
	reset_batch(pg);
	*be = pg;
	*ops = &pg_backend;
	return 0;
}
