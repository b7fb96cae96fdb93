/*
 * store: what inc-store does with records, whatever the database: the
 * batches of the pipe, the lifecycle rules, the timeline, the queries of
 * the subcommands.  The backends (store-sqlite.c, store-pg.c) only move
 * rows.
 */
#include "store.h"
#include "hex.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "config.h"
#include "id.h"
#include "jscan.h"
#include "record.h"
#include "rfc3339.h"

#define STAGE "inc-store"

/* A retry is for a lost race; this many in a row means something else. */
#define MAX_ATTEMPTS 20

enum { T_NONE, T_INCIDENT, T_KB };

/*
 * A queued record, as a tree (in, out) or, on the bulk path, as compact
 * text (text, out_text).
 */
struct item {
	char *id;
	json_t *in;		/* as queued; never changed, so a batch can
				   be redone from scratch */
	char *text;
	size_t len;
	json_t *out;		/* what is passed on */
	char *out_text;
	size_t out_len;
	json_t *plan;
	int table;
	int failed;
	/* The text path: the index of text, the row's columns. */
	struct jscan_key *keys;
	size_t nkeys;
	const char *cols[STORE_I_NCOLS];
	char *arena;
	char version[24];
};

struct store {
	const struct store_backend *ops;
	void *be;
	int flags;
	char where[PATH_MAX];
	struct item *q;
	size_t nq, cap;
	size_t batch_max;
	int64_t batch_usec, first_at;
	/* Scratch for the text path, kept to save allocations. */
	struct jscan s_in, s_prev, s_meta, s_alert;
	struct jscan view;	/* an item's own index; never freed */
	char *buf;
	size_t blen, bcap;
};

static void
free_item(struct item *it)
{
	free(it->id);
	free(it->text);
	free(it->out_text);
	free(it->keys);
	free(it->arena);
	json_decref(it->in);
	json_decref(it->out);
	json_decref(it->plan);
}

/* The store-owned keys of an incident besides `store` (DESIGN §2). */
static const char *const owned[] = { "status", "acknowledged_at",
    "acknowledged_by", "resolved_at", "resolution", NULL };

/*
 * What the integration stages made on an earlier pass (a channel, a
 * ticket, a call).  A replayed or re-spooled record meets them again only
 * here, so a record that lacks one takes the stored value: that is how
 * inc-slack knows its channel exists and inc-call whom it has rung.
 */
static const char *const kept[] = { "slack", "jira", "call", NULL };

/* Opening */

static int
mkdir_p(const char *dir, mode_t mode)
{
	char p[PATH_MAX];

	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * The URL for messages: a password in the user part or in a password=
 * parameter becomes "***".
 */
static void
redact_url(const char *url, char *buf, size_t len)
{
	const char *auth = strstr(url, "://"), *end, *at = NULL, *colon;
	const char *pw;
	size_t n;

	snprintf(buf, len, "%s", url);
	if (!auth)
		return;
	auth += 3;
	end = auth + strcspn(auth, "/?#");
	for (const char *p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		n = (size_t)(colon + 1 - url);
		snprintf(buf, len, "%.*s***%s", (int)n, url, at);
	}
	if ((pw = strstr(buf, "password=")) != NULL) {
		char tail[1024];
		const char *v = pw + 9;
		snprintf(tail, sizeof tail, "%s", v + strcspn(v, "&#"));
		snprintf((char *)v, len - (size_t)(v - buf), "***%s", tail);
	}
}

int
store_open(struct store **out, const char *url, int flags, char *err,
    size_t errlen)
{
	char path[PATH_MAX], why[512];
	struct store *st;
	int rc, sqlite = 1;
	const char *file = NULL;

	*out = NULL;
	if (!url)
		url = config_get("DATABASE_URL", NULL);
	if (!url)
		url = config_get("INC_DB", NULL);
	if (!url) {
		const char *dir = config_state_dir();
		snprintf(path, sizeof path, "%s/incident.db", dir);
		if (!(flags & STORE_DRY_RUN) && mkdir_p(dir, 0700) < 0) {
			snprintf(err, errlen, "open %s: %s", path,
			    strerror(errno));
			return STORE_ERR;
		}
		url = path;
	}
	st = calloc(1, sizeof *st);
	if (!st) {
		snprintf(err, errlen, "open: out of memory");
		return STORE_ERR;
	}
	st->flags = flags;
	st->batch_max = 1000;
	st->batch_usec = 10000;
	if (strncmp(url, "postgresql://", 13) == 0 ||
	    strncmp(url, "postgres://", 11) == 0) {
		sqlite = 0;
		redact_url(url, st->where, sizeof st->where);
	} else if (strncmp(url, "sqlite:", 7) == 0) {
		/* sqlite:PATH, and sqlite:///abs/path as people write it. */
		file = url + 7;
		if (strncmp(file, "//", 2) == 0)
			file += 2;
	} else if (strstr(url, "://")) {
		redact_url(url, st->where, sizeof st->where);
		snprintf(err, errlen, "open %s: not a database URL this"
		    " program knows (sqlite:PATH or postgresql://...)",
		    st->where);
		free(st);
		return STORE_ERR;
	} else {
		file = url;
	}
	if (sqlite) {
		snprintf(st->where, sizeof st->where, "%s", file);
		rc = store_sqlite_open(file, flags, &st->be, &st->ops, why,
		    sizeof why);
	} else {
		rc = store_pg_open(url, st->where, &st->be, &st->ops, why,
		    sizeof why);
	}
	if (rc < 0) {
		snprintf(err, errlen, "open %s: %s", st->where, why);
		free(st);
		return STORE_ERR;
	}
	if (!(flags & STORE_NO_MIGRATE)) {
		int applied, version;
		int check = (flags & STORE_DRY_RUN) != 0;
		rc = st->ops->migrate(st->be, check, &applied, &version, why,
		    sizeof why);
		if (rc == 0 && check && version != STORE_SCHEMA_VERSION) {
			snprintf(why, sizeof why, "schema version %d, this"
			    " program needs %d: run inc-store migrate",
			    version, STORE_SCHEMA_VERSION);
			rc = STORE_ERR;
		}
		if (rc < 0) {
			snprintf(err, errlen, "open %s: %s", st->where, why);
			store_close(st);
			return STORE_ERR;
		}
	}
	*out = st;
	return 0;
}

void
store_close(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->nq; i++)
		free_item(&st->q[i]);
	free(st->q);
	jscan_free(&st->s_in);
	jscan_free(&st->s_prev);
	jscan_free(&st->s_meta);
	jscan_free(&st->s_alert);
	free(st->buf);
	if (st->ops)
		st->ops->close(st->be);
	free(st);
}

const char *
store_backend(const struct store *st)
{
	return st->ops->name;
}

const char *
store_where(const struct store *st)
{
	return st->where;
}

int
store_migrate(struct store *st, int *applied, int *version, char *err,
    size_t errlen)
{
	return st->ops->migrate(st->be, 0, applied, version, err, errlen) < 0 ?
	    STORE_ERR : 0;
}

/* Record helpers */

/*
 * Append an error to out, which shares its values with the queued record:
 * errors[] is copied first so the queued record stays as it came.
 */
static void
add_error(json_t *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
add_error(json_t *out, const char *fmt, ...)
{
	json_t *errs = json_object_get(out, "errors");
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (json_is_array(errs))
		json_object_set_new(out, "errors", json_copy(errs));
	record_add_error(out, STAGE, "%s", msg);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The top-level keys whose values differ, `store` aside, sorted. */
static json_t *
changed_keys(const json_t *a, const json_t *b)
{
	size_t n = json_object_size(a) + json_object_size(b), k = 0;
	const char **keys = calloc(n + 1, sizeof *keys);
	json_t *out = json_array(), *v;
	const char *key;

	if (!keys)
		return out;
	json_object_foreach((json_t *)a, key, v)
		if (strcmp(key, "store") != 0 &&
		    !json_equal(v, json_object_get(b, key)))
			keys[k++] = key;
	json_object_foreach((json_t *)b, key, v)
		if (strcmp(key, "store") != 0 && !json_object_get(a, key))
			keys[k++] = key;
	qsort(keys, k, sizeof *keys, cmp_str);
	for (size_t i = 0; i < k; i++)
		json_array_append_new(out, json_string(keys[i]));
	free(keys);
	return out;
}

/* Equal apart from `store`: storing it again changes nothing. */
static int
same_but_store(const json_t *a, const json_t *b)
{
	size_t na = json_object_size(a), nb = json_object_size(b);
	const char *key;
	json_t *v;

	na -= json_object_get(a, "store") != NULL;
	nb -= json_object_get(b, "store") != NULL;
	if (na != nb)
		return 0;
	json_object_foreach((json_t *)a, key, v)
		if (strcmp(key, "store") != 0 &&
		    !json_equal(v, json_object_get(b, key)))
			return 0;
	return 1;
}

static int
valid_status(const char *s)
{
	return s && (strcmp(s, "open") == 0 ||
	    strcmp(s, "acknowledged") == 0 || strcmp(s, "resolved") == 0);
}

static void
set_store(const struct store *st, json_t *out, const char *now,
    int64_t version)
{
	json_t *s = json_pack("{s:s, s:s, s:I}", "backend", st->ops->name,
	    "stored_at", now, "version", (json_int_t)version);

	if (st->flags & STORE_DRY_RUN)
		json_object_set_new(s, "dry_run", json_true());
	json_object_set_new(out, "store", s);
}

/* Who a pipeline change is attributed to in the timeline. */
static const char *
actor_of(const json_t *rec)
{
	const char *s = record_str(rec, "source");

	return s && *s ? s : "pipeline";
}

/*
 * If rec is an alert that its source reports resolved, put the time it
 * ended (or "" when it gives none) in at and return 1.
 */
static int
alert_resolved(const json_t *rec, char *at, size_t atlen)
{
	const json_t *a = json_object_get(json_object_get(rec, "metadata"),
	    "alert");
	const char *s = json_string_value(json_object_get(a, "status"));
	const char *ends = json_string_value(json_object_get(a, "endsAt"));
	int64_t u;

	if (!s || strcmp(s, "resolved") != 0)
		return 0;
	at[0] = '\0';
	/* Alertmanager writes year 1 for "not ended". */
	if (ends && rfc3339_parse(ends, &u) == 0 && u > 0)
		rfc3339_format(u, at, atlen);
	return 1;
}

/*
 * The lifecycle part of a merge: the stored lifecycle wins over the
 * incoming record's, a new incident starts open unless it says otherwise,
 * and an alert resolved at its source resolves the incident.  Returns 1
 * when that last rule fired.
 */
static int
lifecycle(json_t *out, const json_t *prev, const char *now)
{
	char ended[RFC3339_LEN];
	const char *status;

	if (prev) {
		for (int i = 0; owned[i]; i++) {
			json_t *v = json_object_get(prev, owned[i]);
			if (v)
				json_object_set(out, owned[i], v);
			else
				json_object_del(out, owned[i]);
		}
		for (int i = 0; kept[i]; i++) {
			json_t *v = json_object_get(prev, kept[i]);
			if (v && !json_object_get(out, kept[i]))
				json_object_set(out, kept[i], v);
		}
	} else if (!json_object_get(out, "status")) {
		json_object_set_new(out, "status", json_string("open"));
	} else if (!valid_status(record_str(out, "status"))) {
		add_error(out, "status: must be open, acknowledged or"
		    " resolved; stored as open");
		json_object_set_new(out, "status", json_string("open"));
	}
	status = record_str(out, "status");
	if (status && strcmp(status, "resolved") == 0)
		return 0;
	if (!alert_resolved(out, ended, sizeof ended))
		return 0;
	json_object_set_new(out, "status", json_string("resolved"));
	json_object_set_new(out, "resolved_at",
	    json_string(ended[0] ? ended : now));
	json_object_set_new(out, "resolution",
	    json_string("alert resolved at source"));
	return 1;
}

/* Vectors */

static int
b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode base64 (padded or not); NULL on a bad character. */
static unsigned char *
b64decode(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	unsigned char *out = malloc(n / 4 * 3 + 3);
	unsigned acc = 0;
	int bits = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int v;
		if (s[i] == '=')
			break;
		if ((v = b64val((unsigned char)s[i])) < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*len = o;
	return out;
}

/*
 * The vector of a kb record as little-endian float32 bytes (what the
 * database keeps, whatever the host), from embedding.vector in base64 or
 * as an array of numbers.  Returns 0 with *vec NULL when there is none,
 * -1 with a reason when it is unusable.
 */
static int
kb_vector(const json_t *rec, unsigned char **vec, size_t *len, int *dim,
    const char **model, char *why, size_t whylen)
{
	const json_t *e = json_object_get(rec, "embedding");
	const json_t *v = json_object_get(e, "vector");
	const json_t *d = json_object_get(e, "dim");
	size_t n;

	*vec = NULL;
	*len = 0;
	*dim = 0;
	*model = json_string_value(json_object_get(e, "model"));
	if (!v)
		return 0;
	if (json_is_string(v)) {
		*vec = b64decode(json_string_value(v), len);
		if (!*vec || *len % 4) {
			snprintf(why, whylen, "embedding.vector: not base64"
			    " of float32 values");
			goto bad;
		}
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		*len = json_array_size(v) * 4;
		*vec = malloc(*len ? *len : 1);
		if (!*vec) {
			snprintf(why, whylen, "out of memory");
			goto bad;
		}
		json_array_foreach(v, i, x) {
			float f = (float)json_number_value(x);
			uint32_t u;
			if (!json_is_number(x)) {
				snprintf(why, whylen, "embedding.vector: item"
				    " %zu is not a number", i + 1);
				goto bad;
			}
			memcpy(&u, &f, 4);
			for (int b = 0; b < 4; b++)
				(*vec)[4 * i + (size_t)b] =
				    (unsigned char)(u >> (8 * b));
		}
	} else {
		snprintf(why, whylen, "embedding.vector: neither base64 nor"
		    " an array");
		goto bad;
	}
	n = *len / 4;
	if (json_is_integer(d) && (size_t)json_integer_value(d) != n) {
		snprintf(why, whylen, "embedding: dim is %lld but the vector"
		    " has %zu values", (long long)json_integer_value(d), n);
		goto bad;
	}
	if (n == 0 || n > 65536) {
		snprintf(why, whylen, "embedding.vector: %zu values", n);
		goto bad;
	}
	*dim = (int)n;
	return 0;
bad:
	free(*vec);
	*vec = NULL;
	*len = 0;
	return -1;
}

/* Writing rows */

static int
put_incident_row(struct store *st, const json_t *out, const char *now,
    int exists, char *err, size_t errlen)
{
	const char *cols[STORE_I_NCOLS];
	const json_t *c = json_object_get(out, "classification");
	char version[24];
	char *text;
	int rc;

	text = json_dumps(out, JSON_COMPACT);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	snprintf(version, sizeof version, "%lld", (long long)
	    json_integer_value(json_object_get(json_object_get(out, "store"),
	    "version")));
	cols[STORE_I_ID] = record_str(out, "id");
	cols[STORE_I_KIND] = record_str(out, "kind") ?
	    record_str(out, "kind") : "incident";
	cols[STORE_I_TITLE] = record_str(out, "title");
	cols[STORE_I_TYPE] = record_str(out, "type");
	cols[STORE_I_SOURCE] = record_str(out, "source");
	cols[STORE_I_SEVERITY] = record_str(out, "severity");
	cols[STORE_I_STATUS] = record_str(out, "status");
	cols[STORE_I_METHOD] = record_str(c, "method");
	cols[STORE_I_CREATED_AT] = now;	/* kept when the row exists */
	cols[STORE_I_UPDATED_AT] = now;
	cols[STORE_I_REPORTED_AT] = record_str(out, "reported_at");
	cols[STORE_I_ACK_AT] = record_str(out, "acknowledged_at");
	cols[STORE_I_ACK_BY] = record_str(out, "acknowledged_by");
	cols[STORE_I_RESOLVED_AT] = record_str(out, "resolved_at");
	cols[STORE_I_RESOLUTION] = record_str(out, "resolution");
	cols[STORE_I_VERSION] = version;
	cols[STORE_I_RECORD] = text;
	rc = st->ops->put_incident(st->be, cols, exists, err, errlen);
	free(text);
	return rc;
}

static int
put_kb_row(struct store *st, const json_t *out, const char *now,
    int exists, char *err, size_t errlen)
{
	const char *cols[STORE_K_NCOLS], *model;
	unsigned char *vec;
	size_t len;
	int dim, rc;
	char version[24], dims[16], why[128];
	char *text;

	text = json_dumps(out, JSON_COMPACT);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	/* An unusable vector was reported at merge; store the rest. */
	kb_vector(out, &vec, &len, &dim, &model, why, sizeof why);
	snprintf(version, sizeof version, "%lld", (long long)
	    json_integer_value(json_object_get(json_object_get(out, "store"),
	    "version")));
	snprintf(dims, sizeof dims, "%d", dim);
	cols[STORE_K_ID] = record_str(out, "id");
	cols[STORE_K_TITLE] = record_str(out, "title");
	cols[STORE_K_SEVERITY] = record_str(out, "severity");
	cols[STORE_K_RESOLUTION] = record_str(out, "resolution");
	cols[STORE_K_MODEL] = model;
	cols[STORE_K_DIM] = vec ? dims : NULL;
	cols[STORE_K_RECORD] = text;
	cols[STORE_K_UPDATED_AT] = now;
	cols[STORE_K_VERSION] = version;
	rc = st->ops->put_kb(st->be, cols, vec, len, exists, err, errlen);
	free(vec);
	free(text);
	return rc;
}

static int
put_event_text(struct store *st, const char *id, const char *now,
    const char *type, const char *actor, const char *detail, char *err,
    size_t errlen)
{
	const char *cols[STORE_E_NCOLS];

	cols[STORE_E_INCIDENT] = id;
	cols[STORE_E_AT] = now;
	cols[STORE_E_TYPE] = type;
	cols[STORE_E_ACTOR] = actor;
	cols[STORE_E_DETAIL] = detail;
	return st->ops->put_event(st->be, cols, err, errlen);
}

/* As put_event_text(), taking the reference to detail. */
static int
put_event(struct store *st, const char *id, const char *now,
    const char *type, const char *actor, json_t *detail, char *err,
    size_t errlen)
{
	char *text = json_dumps(detail, JSON_COMPACT);
	int rc;

	json_decref(detail);
	if (!text) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERR;
	}
	rc = put_event_text(st, id, now, type, actor, text, err, errlen);
	free(text);
	return rc;
}

/* The pipe */

void
store_set_batch(struct store *st, size_t max, int ms)
{
	st->batch_max = max ? max : 1;
	st->batch_usec = (int64_t)ms * 1000;
}

size_t
store_pending(const struct store *st)
{
	return st->nq;
}

static struct item *
enqueue(struct store *st, const char *id)
{
	struct item *it;

	if (st->nq == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 256;
		struct item *q = realloc(st->q, cap * sizeof *q);
		if (!q)
			abort();	/* as jansson does on ENOMEM */
		st->q = q;
		st->cap = cap;
	}
	it = &st->q[st->nq++];
	memset(it, 0, sizeof *it);
	it->id = strdup(id ? id : "");
	if (!it->id)
		abort();
	return it;
}

/* 1 when the batch is full or old enough to commit. */
static int
due(struct store *st)
{
	int64_t now = rfc3339_usec_now();

	if (st->nq == 1)
		st->first_at = now;
	return st->nq >= st->batch_max || now - st->first_at >= st->batch_usec;
}

int
store_put(struct store *st, json_t *rec, int flags)
{
	const char *id = record_str(rec, "id");
	const char *kind = record_str(rec, "kind");
	struct item *it = enqueue(st, id);

	it->in = json_incref(rec);
	it->table = kind && strcmp(kind, "kb") == 0 ? T_KB : T_INCIDENT;
	/* DESIGN §4: a resolved incident piped to `inc-store --kb` joins the
	 * knowledge base, with what fixed it as its resolution. */
	if ((flags & STORE_KB_ONLY) && it->table == T_INCIDENT && kind &&
	    strcmp(kind, "incident") == 0 && record_str(rec, "resolution") &&
	    strcmp(record_str(rec, "status") ? record_str(rec, "status") : "",
	    "resolved") == 0)
		it->table = T_KB;
	if (!id || !id_valid(id) ||
	    ((flags & STORE_KB_ONLY) && it->table != T_KB)) {
		it->out = json_copy(rec);
		if (!id)
			add_error(it->out, "no id: not stored");
		else if (!id_valid(id))
			add_error(it->out, "id: not a valid id: not stored");
		else
			add_error(it->out, "not a kb record: not stored");
		it->table = T_NONE;
		it->failed = 1;
	}
	return due(st);
}

int
store_put_line(struct store *st, const char *line, size_t len, int flags)
{
	struct jscan *s = &st->s_in;
	const struct jscan_key *k;
	char id[ID_MAX + 1];
	struct item *it;

	if ((flags & STORE_KB_ONLY) || !jscan_object(s, line, len))
		return STORE_SLOW;
	/* Only plain incidents: anything else is rare enough for jansson. */
	k = jscan_get(s, "kind");
	if (k && !(k->type == '"' && !k->escaped && k->vlen == 10 &&
	    memcmp(s->out + k->voff, "\"incident\"", 10) == 0))
		return STORE_SLOW;
	k = jscan_get(s, "id");
	if (!k || k->type != '"' || k->escaped || k->vlen - 2 > ID_MAX)
		return STORE_SLOW;
	memcpy(id, s->out + k->voff + 1, k->vlen - 2);
	id[k->vlen - 2] = '\0';
	if (!id_valid(id))
		return STORE_SLOW;
	it = enqueue(st, id);
	it->table = T_INCIDENT;
	/* Take the compacted text over: the index points into it. */
	it->text = s->out;
	it->len = s->len;
	s->out = NULL;
	s->cap = s->len = 0;
	if (!(it->keys = malloc(s->nkeys * sizeof *it->keys + 1)))
		abort();
	memcpy(it->keys, s->keys, s->nkeys * sizeof *it->keys);
	it->nkeys = s->nkeys;
	return due(st);
}

/*
 * The rows of one table that a batch touches, by id (sorted, unique): as
 * loaded, then as the batch's records change them.
 */
struct row {
	int64_t v;		/* the version */
	char *text;		/* the record as loaded, or NULL */
	long item;		/* the queue item with the latest state, or -1 */
	int had;		/* it exists in the database */
};

struct rows {
	const char **ids;
	struct row *r;
	size_t n;
};

static void
rows_init(struct rows *rs, const char **ids, size_t n)
{
	rs->ids = ids;
	rs->n = n;
	if (!(rs->r = calloc(n + 1, sizeof *rs->r)))
		abort();
	for (size_t i = 0; i < n; i++)
		rs->r[i].item = -1;
}

static void
rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i].text);
	free(rs->r);
	rs->r = NULL;
}

static struct row *
row_of(const struct rows *rs, const char *id)
{
	size_t lo = 0, hi = rs->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, rs->ids[mid]);
		if (c == 0)
			return &rs->r[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Does the row hold a record yet, stored or from this batch? */
static int
row_present(const struct row *r)
{
	return r && (r->had || r->item >= 0);
}

static void
on_row(void *arg, const char *id, int64_t version, const char *text)
{
	struct row *r = row_of(arg, id);

	if (!r)
		return;
	r->v = version;
	r->had = 1;
	if (!(r->text = strdup(text)))
		abort();
}

/* The record of a present row as a tree, a new reference; a row we cannot
 * read is replaced by the next write. */
static json_t *
cur_json(struct store *st, const struct row *row)
{
	json_t *rec;

	if (row->item >= 0) {
		struct item *it = &st->q[row->item];
		if (it->out)
			return json_incref(it->out);
		rec = json_loadb(it->out_text, it->out_len, 0, NULL);
	} else {
		rec = json_loads(row->text, 0, NULL);
	}
	if (!json_is_object(rec)) {
		json_decref(rec);
		rec = json_object();
	}
	return rec;
}

/* The record of a present row as text; *tofree is set when it was made. */
static const char *
cur_text(struct store *st, const struct row *row, size_t *len,
    char **tofree)
{
	struct item *it;

	*tofree = NULL;
	if (row->item < 0) {
		*len = strlen(row->text);
		return row->text;
	}
	it = &st->q[row->item];
	if (it->out_text) {
		*len = it->out_len;
		return it->out_text;
	}
	if (!(*tofree = json_dumps(it->out, JSON_COMPACT)))
		abort();
	*len = strlen(*tofree);
	return *tofree;
}

/* The ids of the queue's rows in table, unique and sorted. */
static const char **
batch_ids(struct store *st, int table, size_t *n)
{
	const char **ids = malloc((st->nq + 1) * sizeof *ids);
	size_t k = 0;

	if (!ids)
		abort();
	for (size_t i = 0; i < st->nq; i++)
		if (st->q[i].table == table)
			ids[k++] = st->q[i].id;
	qsort(ids, k, sizeof *ids, cmp_str);
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (*n == 0 || strcmp(ids[*n - 1], ids[i]) != 0)
			ids[(*n)++] = ids[i];
	return ids;
}

static json_t *
new_plan(const char *table, const char *op, const char *id, int64_t v)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:[]}", "table", table, "op",
	    op, "id", id, "version", (json_int_t)v, "events");
}

static void
plan_event(struct item *it, const char *type)
{
	if (it->plan)
		json_array_append_new(json_object_get(it->plan, "events"),
		    json_string(type));
}

/* Keep prev's `store` on an unchanged record (marked in a dry run). */
static void
keep_store(struct store *st, json_t *out, json_t *prev, const char *now,
    int64_t v)
{
	json_t *s = json_object_get(prev, "store");

	if (!json_is_object(s)) {
		set_store(st, out, now, v);
		return;
	}
	s = json_copy(s);
	if (st->flags & STORE_DRY_RUN)
		json_object_set_new(s, "dry_run", json_true());
	json_object_set_new(out, "store", s);
}

/* Item idx holds the row's latest state, to be written once at the end. */
static void
mark_dirty(struct row *row, size_t idx, int64_t v)
{
	row->v = v;
	row->item = (long)idx;
}

static int
merge_incident(struct store *st, struct item *it, struct rows *rows,
    size_t idx, const char *now, char *err, size_t errlen)
{
	const char *id = it->id;
	struct row *c = row_of(rows, id);
	json_t *prev = row_present(c) ? cur_json(st, c) : NULL, *out;
	int64_t v = prev ? c->v : 0;
	size_t before = record_error_count(it->in);
	int resolved, rc = 0;

	it->out = out = json_copy(it->in);
	resolved = lifecycle(out, prev, now);
	it->failed = record_error_count(out) > before;
	if (prev && same_but_store(out, prev)) {
		keep_store(st, out, prev, now, v);
		if (st->flags & STORE_DRY_RUN)
			it->plan = new_plan("incidents", "unchanged", id, v);
		goto done;
	}
	if (st->flags & STORE_DRY_RUN)
		it->plan = new_plan("incidents", prev ? "update" : "insert",
		    id, v + 1);
	set_store(st, out, now, ++v);
	if (prev)
		rc = put_event(st, id, now, "updated", actor_of(out),
		    json_pack("{s:o, s:I}", "changed", changed_keys(prev, out),
		    "version", (json_int_t)v), err, errlen);
	else
		rc = put_event(st, id, now, "created", actor_of(out),
		    json_pack("{s:O}", "status",
		    json_object_get(out, "status")), err, errlen);
	if (rc < 0)
		goto done;
	plan_event(it, prev ? "updated" : "created");
	if (resolved) {
		rc = put_event(st, id, now, "resolved", actor_of(out),
		    json_pack("{s:O, s:O}", "resolved_at",
		    json_object_get(out, "resolved_at"), "resolution",
		    json_object_get(out, "resolution")), err, errlen);
		if (rc < 0)
			goto done;
		plan_event(it, "resolved");
	}
	mark_dirty(c, idx, v);
done:
	json_decref(prev);
	return rc;
}

/*
 * The text path of the merge: the same rules as merge_incident() and
 * lifecycle(), worked on the compact text and its index of top-level
 * keys, so a bulk load builds no JSON trees.  Returns STORE_SLOW when
 * the record needs what only the tree path does (an invalid status, a
 * stored record jscan declines).
 */
struct piece {
	const char *k, *v;
	size_t kl, vl;
};

static inline int
is_key(const char *k, size_t kl, const char *name)
{
	/* This runs a few hundred times a record: the first byte decides
	 * most of them. */
	return kl && k[0] == name[0] && strncmp(name, k, kl) == 0 &&
	    name[kl] == '\0';
}

static int
is_owned(const char *k, size_t kl)
{
	for (int i = 0; owned[i]; i++)
		if (is_key(k, kl, owned[i]))
			return 1;
	return 0;
}

/* Is v (a JSON value's text) the string s (which needs no escapes)? */
static int
is_str(const char *v, size_t vl, const char *s)
{
	size_t n = strlen(s);

	return vl == n + 2 && v[0] == '"' && memcmp(v + 1, s, n) == 0;
}

static int
same_value(const char *a, size_t al, const char *b, size_t bl)
{
	json_t *x, *y;
	int eq;

	if (al == bl && memcmp(a, b, al) == 0)
		return 1;
	/* Same meaning, other spelling ("\u00e9", 1.0e0, key order). */
	x = json_loadb(a, al, JSON_DECODE_ANY, NULL);
	y = json_loadb(b, bl, JSON_DECODE_ANY, NULL);
	eq = x && y && json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

/*
 * The string value v as C text into dst (room for vl bytes): NULL if v is
 * not a string.  Escapes are rare; jansson decodes them.
 */
static const char *
text_str(const char *v, size_t vl, char *dst)
{
	json_t *j;
	size_t n;

	if (vl < 2 || v[0] != '"')
		return NULL;
	if (!memchr(v, '\\', vl)) {
		memcpy(dst, v + 1, vl - 2);
		dst[vl - 2] = '\0';
		return dst;
	}
	j = json_loadb(v, vl, JSON_DECODE_ANY, NULL);
	if (!json_is_string(j) || (n = json_string_length(j)) > vl - 2) {
		json_decref(j);
		return NULL;
	}
	memcpy(dst, json_string_value(j), n);
	dst[n] = '\0';
	json_decref(j);
	return dst;
}

static int
cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;
	size_t n = x->kl < y->kl ? x->kl : y->kl;
	int c = memcmp(x->k, y->k, n);

	return c ? c : (x->kl > y->kl) - (x->kl < y->kl);
}

/* Append n bytes to the store's scratch buffer. */
static void
put(struct store *st, const char *s, size_t n)
{
	if (st->blen + n + 1 > st->bcap) {
		size_t cap = st->bcap ? st->bcap : 4096;
		char *b;
		while (cap < st->blen + n + 1)
			cap *= 2;
		if (!(b = realloc(st->buf, cap)))
			abort();
		st->buf = b;
		st->bcap = cap;
	}
	memcpy(st->buf + st->blen, s, n);
	st->blen += n;
	st->buf[st->blen] = '\0';
}

static void
puts_(struct store *st, const char *s)
{
	put(st, s, strlen(s));
}

/* Did its source report the alert resolved?  Its end time into at. */
static int
text_alert_resolved(struct store *st, const struct jscan *si, char *at,
    size_t atlen)
{
	const struct jscan_key *m = jscan_get(si, "metadata"), *a, *s, *e;
	char ends[64];
	int64_t u;

	/* Most alerts fire: look for the word before parsing anything. */
	if (!m || m->type != '{' || !memmem(si->out + m->voff, m->vlen,
	    "\"resolved\"", 10) || !jscan_object(&st->s_meta,
	    si->out + m->voff, m->vlen))
		return 0;
	a = jscan_get(&st->s_meta, "alert");
	if (!a || a->type != '{' || !jscan_object(&st->s_alert,
	    st->s_meta.out + a->voff, a->vlen))
		return 0;
	s = jscan_get(&st->s_alert, "status");
	if (!s || !is_str(st->s_alert.out + s->voff, s->vlen, "resolved"))
		return 0;
	at[0] = '\0';
	e = jscan_get(&st->s_alert, "endsAt");
	/* Alertmanager writes year 1 for "not ended". */
	if (e && e->vlen < sizeof ends && text_str(st->s_alert.out + e->voff,
	    e->vlen, ends) && rfc3339_parse(ends, &u) == 0 && u > 0)
		rfc3339_format(u, at, atlen);
	return 1;
}

static void text_cols(struct store *st, struct item *it,
    const struct piece *p, size_t n, int64_t v);

static int
merge_incident_text(struct store *st, struct item *it, struct rows *rows,
    size_t idx, const char *now, char *err, size_t errlen)
{
	struct jscan *si, *sp = &st->s_prev;
	struct piece p[JSCAN_MAX_KEYS + 16], changed[2 * JSCAN_MAX_KEYS + 32];
	struct row *c = row_of(rows, it->id);
	int64_t v = row_present(c) ? c->v : 0;
	const char *ptext = NULL;
	size_t plen = 0;
	char *pfree = NULL;
	size_t n = 0, nch = 0, store_at = (size_t)-1, status_at = (size_t)-1;
	char ended[RFC3339_LEN], res_at[RFC3339_LEN + 2], store[160];
	char abuf[256], *actor, *afree = NULL;
	const char *source = NULL;
	int prev = row_present(c), resolved = 0, rc;

	/* The index store_put_line() made, over the text it kept. */
	if (!it->keys)
		return STORE_SLOW;
	si = &st->view;
	si->out = it->text;
	si->len = it->len;
	si->nkeys = it->nkeys;
	memcpy(si->keys, it->keys, it->nkeys * sizeof *it->keys);
	if (prev) {
		ptext = cur_text(st, c, &plen, &pfree);
		rc = jscan_object(sp, ptext, plen);
		free(pfree);
		if (!rc)
			return STORE_SLOW;
	}
	for (size_t i = 0; i < si->nkeys; i++) {
		const struct jscan_key *k = &si->keys[i];
		struct piece q = { k->name, si->out + k->voff, k->nlen,
		    k->vlen };
		if (is_owned(q.k, q.kl)) {
			/* The stored lifecycle wins over the incoming one. */
			const struct jscan_key *pk;
			if (prev) {
				char name[32];
				snprintf(name, sizeof name, "%.*s",
				    (int)q.kl, q.k);
				if (!(pk = jscan_get(sp, name)))
					continue;
				q.v = sp->out + pk->voff;
				q.vl = pk->vlen;
			} else if (is_key(q.k, q.kl, "status") &&
			    !(is_str(q.v, q.vl, "open") ||
			    is_str(q.v, q.vl, "acknowledged") ||
			    is_str(q.v, q.vl, "resolved"))) {
				return STORE_SLOW;
			}
		}
		if (is_key(q.k, q.kl, "store"))
			store_at = n;
		if (is_key(q.k, q.kl, "status"))
			status_at = n;
		p[n++] = q;
	}
	if (prev) {
		for (int i = 0; owned[i]; i++) {
			const struct jscan_key *pk = jscan_get(sp, owned[i]);
			if (!pk || jscan_get(si, owned[i]))
				continue;
			if (strcmp(owned[i], "status") == 0)
				status_at = n;
			p[n++] = (struct piece){ pk->name, sp->out + pk->voff,
			    pk->nlen, pk->vlen };
		}
		for (int i = 0; kept[i]; i++) {
			const struct jscan_key *pk = jscan_get(sp, kept[i]);
			if (pk && !jscan_get(si, kept[i]))
				p[n++] = (struct piece){ pk->name,
				    sp->out + pk->voff, pk->nlen, pk->vlen };
		}
	}
	if (status_at == (size_t)-1) {
		/* A stored incident without a status is the tree path's. */
		if (prev)
			return STORE_SLOW;
		status_at = n;
		p[n++] = (struct piece){ "status", "\"open\"", 6, 6 };
	}
	if (!is_str(p[status_at].v, p[status_at].vl, "resolved") &&
	    text_alert_resolved(st, si, ended, sizeof ended)) {
		static const char *const keys[] = { "status", "resolved_at",
		    "resolution" };
		snprintf(res_at, sizeof res_at, "\"%s\"",
		    ended[0] ? ended : now);
		const char *vals[] = { "\"resolved\"", res_at,
		    "\"alert resolved at source\"" };
		for (int j = 0; j < 3; j++) {
			size_t at = n;
			for (size_t i = 0; i < n; i++)
				if (is_key(p[i].k, p[i].kl, keys[j]))
					at = i;
			p[at] = (struct piece){ keys[j], vals[j],
			    strlen(keys[j]), strlen(vals[j]) };
			if (at == n)
				n++;
		}
		resolved = 1;
	}
	if (prev) {
		for (size_t i = 0; i < n; i++) {
			const struct jscan_key *pk;
			char name[256];
			if (i == store_at)
				continue;
			if (p[i].kl >= sizeof name)
				return STORE_SLOW;	/* an absurd key */
			memcpy(name, p[i].k, p[i].kl);
			name[p[i].kl] = '\0';
			pk = jscan_get(sp, name);
			if (!pk || !same_value(p[i].v, p[i].vl,
			    sp->out + pk->voff, pk->vlen))
				changed[nch++] = p[i];
		}
		for (size_t j = 0; j < sp->nkeys; j++) {
			const struct jscan_key *pk = &sp->keys[j];
			size_t i;
			if (is_key(pk->name, pk->nlen, "store"))
				continue;
			for (i = 0; i < n; i++)
				if (p[i].kl == pk->nlen &&
				    memcmp(p[i].k, pk->name, pk->nlen) == 0)
					break;
			if (i == n)
				changed[nch++] = (struct piece){ pk->name, NULL,
				    pk->nlen, 0 };
		}
	}
	if (prev && nch == 0) {
		const struct jscan_key *ps = jscan_get(sp, "store");
		if (ps && ps->type == '{' && !(st->flags & STORE_DRY_RUN)) {
			p[store_at == (size_t)-1 ? n : store_at] =
			    (struct piece){ "store", sp->out + ps->voff, 5,
			    ps->vlen };
		} else {
			/* Rare: rebuild it, as the tree path would. */
			return STORE_SLOW;
		}
		if (store_at == (size_t)-1)
			n++;
		if (st->flags & STORE_DRY_RUN)
			it->plan = new_plan("incidents", "unchanged", it->id,
			    v);
	} else {
		v++;
		snprintf(store, sizeof store, "{\"backend\":\"%s\","
		    "\"stored_at\":\"%s\",\"version\":%lld%s}", st->ops->name,
		    now, (long long)v, st->flags & STORE_DRY_RUN ?
		    ",\"dry_run\":true" : "");
		p[store_at == (size_t)-1 ? n : store_at] = (struct piece){
		    "store", store, 5, strlen(store) };
		if (store_at == (size_t)-1)
			n++;
		if (st->flags & STORE_DRY_RUN)
			it->plan = new_plan("incidents", prev ? "update" :
			    "insert", it->id, v);
	}
	/* The record, as the tree path would write it. */
	st->blen = 0;
	put(st, "{", 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			put(st, ",", 1);
		put(st, "\"", 1);
		put(st, p[i].k, p[i].kl);
		put(st, "\":", 2);
		put(st, p[i].v, p[i].vl);
	}
	put(st, "}", 1);
	if (!(it->out_text = malloc(st->blen + 1)))
		abort();
	memcpy(it->out_text, st->buf, st->blen + 1);
	it->out_len = st->blen;
	if (prev && nch == 0)
		return 0;

	/* The timeline: who changed what. */
	for (size_t i = 0; i < n; i++)
		if (is_key(p[i].k, p[i].kl, "source"))
			source = p[i].v;
	actor = NULL;
	if (source) {
		const struct jscan_key *sk = jscan_get(si, "source");
		if (sk && sk->vlen > sizeof abuf)
			actor = afree = malloc(sk->vlen);
		else if (sk)
			actor = abuf;
		if (actor && (!text_str(si->out + sk->voff, sk->vlen, actor) ||
		    !*actor))
			actor = NULL;
	}
	st->blen = 0;
	if (prev) {
		qsort(changed, nch, sizeof *changed, cmp_piece);
		puts_(st, "{\"changed\":[");
		for (size_t i = 0; i < nch; i++) {
			put(st, i ? ",\"" : "\"", i ? 2 : 1);
			put(st, changed[i].k, changed[i].kl);
			put(st, "\"", 1);
		}
		snprintf(store, sizeof store, "],\"version\":%lld}",
		    (long long)v);
		puts_(st, store);
	} else {
		puts_(st, "{\"status\":");
		put(st, p[status_at].v, p[status_at].vl);
		puts_(st, "}");
	}
	/* The backends take what they need of a row before they return. */
	rc = put_event_text(st, it->id, now, prev ? "updated" : "created",
	    actor ? actor : "pipeline", st->buf, err, errlen);
	plan_event(it, prev ? "updated" : "created");
	if (rc == 0 && resolved) {
		st->blen = 0;
		puts_(st, "{\"resolved_at\":");
		puts_(st, res_at);
		puts_(st, ",\"resolution\":\"alert resolved at source\"}");
		rc = put_event_text(st, it->id, now, "resolved",
		    actor ? actor : "pipeline", st->buf, err, errlen);
		plan_event(it, "resolved");
	}
	free(afree);
	if (rc < 0)
		return rc;
	text_cols(st, it, p, n, v);
	mark_dirty(c, idx, v);
	return 0;
}

static void
merge_kb(struct store *st, struct item *it, struct rows *rows, size_t idx,
    const char *now)
{
	const char *id = it->id, *model;
	struct row *c = row_of(rows, id);
	json_t *prev = row_present(c) ? cur_json(st, c) : NULL, *out;
	int64_t v = prev ? c->v : 0;
	unsigned char *vec;
	size_t len;
	int dim;
	char why[128];

	it->out = out = json_copy(it->in);
	if (kb_vector(out, &vec, &len, &dim, &model, why, sizeof why) < 0) {
		add_error(out, "%s: stored without its vector", why);
		it->failed = 1;
	}
	free(vec);
	if (prev && same_but_store(out, prev)) {
		keep_store(st, out, prev, now, v);
		if (st->flags & STORE_DRY_RUN)
			it->plan = new_plan("kb", "unchanged", id, v);
		json_decref(prev);
		return;
	}
	if (st->flags & STORE_DRY_RUN)
		it->plan = new_plan("kb", prev ? "update" : "insert", id,
		    v + 1);
	set_store(st, out, now, ++v);
	mark_dirty(c, idx, v);
	json_decref(prev);
}

/* The columns of an incident row, from the pieces of its text. */
static void
text_cols(struct store *st, struct item *it, const struct piece *p,
    size_t n, int64_t v)
{
	static const struct {
		int col;
		const char *key;
	} strs[] = {
		{ STORE_I_ID, "id" }, { STORE_I_KIND, "kind" },
		{ STORE_I_TITLE, "title" }, { STORE_I_TYPE, "type" },
		{ STORE_I_SOURCE, "source" }, { STORE_I_SEVERITY, "severity" },
		{ STORE_I_STATUS, "status" },
		{ STORE_I_REPORTED_AT, "reported_at" },
		{ STORE_I_ACK_AT, "acknowledged_at" },
		{ STORE_I_ACK_BY, "acknowledged_by" },
		{ STORE_I_RESOLVED_AT, "resolved_at" },
		{ STORE_I_RESOLUTION, "resolution" },
	};
	const struct jscan_key *k;
	size_t room = 1;
	char *a;

	/* A string is shorter than its value's text: that much is room. */
	for (size_t i = 0; i < n; i++)
		room += p[i].vl;
	if (!(a = it->arena = malloc(room)))
		abort();
	memset(it->cols, 0, sizeof it->cols);
	for (size_t i = 0; i < n; i++) {
		if (is_key(p[i].k, p[i].kl, "classification")) {
			if (p[i].v[0] == '{' && jscan_object(&st->s_meta,
			    p[i].v, p[i].vl) && (k = jscan_get(&st->s_meta,
			    "method")) != NULL)
				it->cols[STORE_I_METHOD] = text_str(
				    st->s_meta.out + k->voff, k->vlen, a);
			a += p[i].vl;
			continue;
		}
		for (size_t j = 0; j < sizeof strs / sizeof strs[0]; j++)
			if (is_key(p[i].k, p[i].kl, strs[j].key)) {
				it->cols[strs[j].col] = text_str(p[i].v,
				    p[i].vl, a);
				a += p[i].vl;
				break;
			}
	}
	if (!it->cols[STORE_I_KIND])
		it->cols[STORE_I_KIND] = "incident";
	snprintf(it->version, sizeof it->version, "%lld", (long long)v);
	it->cols[STORE_I_VERSION] = it->version;
	it->cols[STORE_I_RECORD] = it->out_text;
}

/* Turn a text item into a tree item, for the paths that need one. */
static void
to_tree(struct item *it)
{
	if (it->in)
		return;
	it->in = json_loadb(it->text, it->len, 0, NULL);
	if (!it->in)
		abort();	/* jscan vouched for it */
	free(it->text);
	it->text = NULL;
}

static void
reset_out(struct item *it)
{
	json_decref(it->out);
	json_decref(it->plan);
	free(it->out_text);
	free(it->arena);
	it->out = it->plan = NULL;
	it->out_text = it->arena = NULL;
	it->failed = 0;
}

/*
 * One attempt at the queue: lock its rows, merge each record in order
 * against what is stored (and what the records before it in this batch
 * did), write the final row of each id once, and commit.
 */
static int
apply(struct store *st, char *err, size_t errlen)
{
	struct rows inc, kb;
	const char **inc_ids, **kb_ids;
	size_t n_inc, n_kb;
	char now[RFC3339_LEN];
	int rc, kb_changed = 0;

	rfc3339_now(now, sizeof now);
	inc_ids = batch_ids(st, T_INCIDENT, &n_inc);
	kb_ids = batch_ids(st, T_KB, &n_kb);
	rows_init(&inc, inc_ids, n_inc);
	rows_init(&kb, kb_ids, n_kb);
	if ((rc = st->ops->begin(st->be, err, errlen)) < 0)
		goto out;
	if (n_inc && (rc = st->ops->load(st->be, "incidents", inc_ids, n_inc,
	    on_row, &inc, err, errlen)) < 0)
		goto rollback;
	if (n_kb && (rc = st->ops->load(st->be, "kb", kb_ids, n_kb, on_row,
	    &kb, err, errlen)) < 0)
		goto rollback;
	for (size_t i = 0; i < st->nq; i++) {
		struct item *it = &st->q[i];
		if (it->table == T_NONE)
			continue;
		reset_out(it);
		if (it->table == T_KB) {
			merge_kb(st, it, &kb, i, now);
			continue;
		}
		rc = STORE_SLOW;
		if (it->text)
			rc = merge_incident_text(st, it, &inc, i, now, err,
			    errlen);
		if (rc == STORE_SLOW) {
			reset_out(it);
			to_tree(it);
			rc = merge_incident(st, it, &inc, i, now, err, errlen);
		}
		if (rc < 0)
			goto rollback;
	}
	/*
	 * The final state of each changed row, once, in id order (the order
	 * the rows were locked in); whether it existed decides between an
	 * insert and an update.
	 */
	for (size_t i = 0; i < n_inc; i++) {
		struct row *r = &inc.r[i];
		struct item *it;
		if (r->item < 0)
			continue;
		it = &st->q[r->item];
		if (it->arena) {
			it->cols[STORE_I_CREATED_AT] = now;
			it->cols[STORE_I_UPDATED_AT] = now;
			rc = st->ops->put_incident(st->be, it->cols, r->had,
			    err, errlen);
		} else {
			rc = put_incident_row(st, it->out, now, r->had, err,
			    errlen);
		}
		if (rc < 0)
			goto rollback;
	}
	for (size_t i = 0; i < n_kb; i++) {
		struct row *r = &kb.r[i];
		if (r->item < 0)
			continue;
		kb_changed = 1;
		if ((rc = put_kb_row(st, st->q[r->item].out, now, r->had, err,
		    errlen)) < 0)
			goto rollback;
	}
	/* inc-match reloads its index when this counter moves. */
	if (kb_changed && (rc = st->ops->bump_kb(st->be, now, err,
	    errlen)) < 0)
		goto rollback;
	rc = st->ops->end(st->be, (st->flags & STORE_DRY_RUN) != 0, err,
	    errlen);
	goto out;
rollback:
	st->ops->end(st->be, 1, NULL, 0);
out:
	rows_free(&inc);
	rows_free(&kb);
	free(inc_ids);
	free(kb_ids);
	return rc;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int
store_commit(struct store *st,
    void (*done)(const struct store_result *, void *), void *arg,
    char *err, size_t errlen)
{
	int rc = 0, any = 0;

	if (st->nq == 0)
		return 0;
	for (size_t i = 0; i < st->nq; i++)
		any |= st->q[i].table != T_NONE;
	for (int attempt = 1; any; attempt++) {
		rc = apply(st, err, errlen);
		if (rc != STORE_RETRY || attempt == MAX_ATTEMPTS)
			break;
		nap_ms(attempt);
	}
	for (size_t i = 0; i < st->nq; i++) {
		struct item *it = &st->q[i];
		struct store_result res = { 0 };

		if (rc < 0 && it->table != T_NONE) {
			reset_out(it);
			to_tree(it);
			it->out = json_copy(it->in);
			add_error(it->out, "not stored: %s", err);
			it->failed = 1;
		}
		res.rec = it->out;
		res.line = it->out_text;
		res.len = it->out_len;
		res.stored = rc == 0 && it->table != T_NONE;
		res.failed = it->failed;
		res.plan = it->plan;
		done(&res, arg);
		free_item(it);
	}
	st->nq = 0;
	return rc < 0 ? STORE_ERR : 0;
}

/* The subcommands */

static int
first_value(void *arg, int ncols, const char *const *vals)
{
	(void)ncols;
	*(char **)arg = vals[0] ? strdup(vals[0]) : NULL;
	return 1;
}

/* The record text of id in table; 1 found, 0 not, <0 error. */
static int
get_record(struct store *st, const char *table, const char *id,
    json_t **rec, char *err, size_t errlen)
{
	char sql[96], *text = NULL;
	const char *params[] = { id };
	int rc;

	snprintf(sql, sizeof sql, "SELECT record FROM %s WHERE id = $1",
	    table);
	rc = st->ops->query(st->be, sql, 1, params, first_value, &text, err,
	    errlen);
	if (rc <= 0)
		return rc;
	*rec = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	if (!json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		snprintf(err, errlen, "%s: stored record is not JSON", id);
		return STORE_ERR;
	}
	return 1;
}

int
store_get(struct store *st, const char *id, json_t **rec, char *err,
    size_t errlen)
{
	int rc;

	*rec = NULL;
	rc = get_record(st, "incidents", id, rec, err, errlen);
	if (rc == 0)
		rc = get_record(st, "kb", id, rec, err, errlen);
	if (rc == 0)
		return STORE_NOTFOUND;
	return rc < 0 ? STORE_ERR : 0;
}

struct walk {
	int (*fn)(const json_t *, void *);
	void *arg;
};

static int
list_row(void *arg, int ncols, const char *const *vals)
{
	struct walk *w = arg;
	json_t *rec = vals[0] ? json_loads(vals[0], 0, NULL) : NULL;
	int rc = 0;

	(void)ncols;
	if (rec)
		rc = w->fn(rec, w->arg);
	json_decref(rec);
	return rc;
}

int
store_list(struct store *st, const struct store_filter *f,
    int (*fn)(const json_t *, void *), void *arg, char *err, size_t errlen)
{
	char sql[512];
	const char *params[3];
	struct walk w = { fn, arg };
	int n = 0;
	size_t len;

	len = (size_t)snprintf(sql, sizeof sql,
	    "SELECT record FROM incidents");
	if (f->status) {
		params[n++] = f->status;
		len += (size_t)snprintf(sql + len, sizeof sql - len,
		    " %s status = $%d", n > 1 ? "AND" : "WHERE", n);
	}
	if (f->severity) {
		params[n++] = f->severity;
		len += (size_t)snprintf(sql + len, sizeof sql - len,
		    " %s severity = $%d", n > 1 ? "AND" : "WHERE", n);
	}
	if (f->since) {
		params[n++] = f->since;
		len += (size_t)snprintf(sql + len, sizeof sql - len,
		    " %s created_at >= $%d", n > 1 ? "AND" : "WHERE", n);
	}
	len += (size_t)snprintf(sql + len, sizeof sql - len,
	    " ORDER BY created_at DESC, id DESC");
	if (f->limit > 0)
		snprintf(sql + len, sizeof sql - len, " LIMIT %ld", f->limit);
	return st->ops->query(st->be, sql, n, params, list_row, &w, err,
	    errlen);
}

static int
count_into(void *arg, int ncols, const char *const *vals)
{
	json_t *obj = arg;
	const char *key = vals[0] && *vals[0] ? vals[0] : "none";

	(void)ncols;
	json_object_set_new(obj, key,
	    json_integer(strtoll(vals[1], NULL, 10)));
	return 0;
}

struct means {
	double ack_sum, res_sum;
	long ack_n, res_n;
};

static int
means_row(void *arg, int ncols, const char *const *vals)
{
	struct means *m = arg;
	int64_t base, t;

	(void)ncols;
	/* From when it was reported; else from when it was first stored. */
	if (!vals[1] || rfc3339_parse(vals[1], &base) < 0)
		if (!vals[0] || rfc3339_parse(vals[0], &base) < 0)
			return 0;
	if (vals[2] && rfc3339_parse(vals[2], &t) == 0) {
		m->ack_sum += t > base ? (double)(t - base) / 1e6 : 0;
		m->ack_n++;
	}
	if (vals[3] && rfc3339_parse(vals[3], &t) == 0) {
		m->res_sum += t > base ? (double)(t - base) / 1e6 : 0;
		m->res_n++;
	}
	return 0;
}

static json_t *
mean(double sum, long n)
{
	if (n == 0)
		return json_null();
	/* Milliseconds are precision enough for people and for graphs. */
	return json_real((double)(long long)(sum / (double)n * 1000 + 0.5) /
	    1000);
}

/* A copy of obj with its keys in byte order: same output everywhere. */
static json_t *
sorted(json_t *obj)
{
	size_t n = json_object_size(obj), k = 0;
	const char **keys = malloc((n + 1) * sizeof *keys);
	json_t *out = json_object(), *v;
	const char *key;

	if (!keys)
		abort();
	json_object_foreach(obj, key, v)
		keys[k++] = key;
	qsort(keys, k, sizeof *keys, cmp_str);
	for (size_t i = 0; i < k; i++)
		json_object_set(out, keys[i], json_object_get(obj, keys[i]));
	free(keys);
	json_decref(obj);
	return out;
}

int
store_stats(struct store *st, const char *since, json_t **out, char *err,
    size_t errlen)
{
	static const char *const groups[][2] = {
		{ "by_severity", "severity" },
		{ "by_status", "status" },
		{ "by_method", "classification_method" },
	};
	const char *params[] = { since };
	const char *where = since ? " WHERE created_at >= $1" : "";
	int n = since ? 1 : 0, rc;
	char sql[256], *text = NULL;
	struct means m = { 0 };
	json_t *o = json_object();
	int64_t kbv;

	*out = NULL;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM incidents%s", where);
	if ((rc = st->ops->query(st->be, sql, n, params, first_value, &text,
	    err, errlen)) < 0)
		goto fail;
	json_object_set_new(o, "incidents",
	    json_integer(text ? strtoll(text, NULL, 10) : 0));
	free(text);
	text = NULL;
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		json_t *g = json_object();
		if (i == 0)
			json_object_set_new(g, "HIGH", json_integer(0)),
			json_object_set_new(g, "MEDIUM", json_integer(0)),
			json_object_set_new(g, "LOW", json_integer(0));
		if (i == 1)
			json_object_set_new(g, "open", json_integer(0)),
			json_object_set_new(g, "acknowledged",
			    json_integer(0)),
			json_object_set_new(g, "resolved", json_integer(0));
		snprintf(sql, sizeof sql, "SELECT %s, count(*) FROM incidents"
		    "%s GROUP BY %s", groups[i][1], where, groups[i][1]);
		rc = st->ops->query(st->be, sql, n, params, count_into, g, err,
		    errlen);
		json_object_set_new(o, groups[i][0], sorted(g));
		if (rc < 0)
			goto fail;
	}
	snprintf(sql, sizeof sql, "SELECT created_at, reported_at,"
	    " acknowledged_at, resolved_at FROM incidents WHERE"
	    " (acknowledged_at IS NOT NULL OR resolved_at IS NOT NULL)%s",
	    since ? " AND created_at >= $1" : "");
	if ((rc = st->ops->query(st->be, sql, n, params, means_row, &m, err,
	    errlen)) < 0)
		goto fail;
	json_object_set_new(o, "mtta_seconds", mean(m.ack_sum, m.ack_n));
	json_object_set_new(o, "mttr_seconds", mean(m.res_sum, m.res_n));
	if ((rc = st->ops->query(st->be, "SELECT count(*) FROM kb", 0, NULL,
	    first_value, &text, err, errlen)) < 0 ||
	    (rc = store_kb_version(st, &kbv, err, errlen)) < 0)
		goto fail;
	json_object_set_new(o, "kb", json_pack("{s:I, s:I}", "documents",
	    (json_int_t)(text ? strtoll(text, NULL, 10) : 0), "version",
	    (json_int_t)kbv));
	free(text);
	*out = o;
	return 0;
fail:
	free(text);
	json_decref(o);
	return STORE_ERR;
}

static int
event_row(void *arg, int ncols, const char *const *vals)
{
	struct walk *w = arg;
	json_t *detail = vals[5] ? json_loads(vals[5], JSON_DECODE_ANY,
	    NULL) : NULL;
	json_t *ev;
	int rc;

	(void)ncols;
	if (!detail)
		detail = vals[5] ? json_string(vals[5]) : json_null();
	ev = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:o}", "seq",
	    (json_int_t)strtoll(vals[0], NULL, 10), "incident_id", vals[1],
	    "at", vals[2], "type", vals[3], "actor", vals[4], "detail",
	    detail);
	rc = w->fn(ev, w->arg);
	json_decref(ev);
	return rc;
}

int
store_events(struct store *st, const char *id,
    int (*fn)(const json_t *, void *), void *arg, char *err, size_t errlen)
{
	const char *params[] = { id };
	struct walk w = { fn, arg };
	char *text = NULL;
	int rc;

	rc = st->ops->query(st->be, "SELECT 1 FROM incidents WHERE id = $1",
	    1, params, first_value, &text, err, errlen);
	free(text);
	if (rc < 0)
		return STORE_ERR;
	if (rc == 0)
		return STORE_NOTFOUND;
	return st->ops->query(st->be, "SELECT seq, incident_id, at, type,"
	    " actor, detail FROM events WHERE incident_id = $1 ORDER BY seq",
	    1, params, event_row, &w, err, errlen);
}

/*
 * A change that people make (ack, resolve): lock the row, let change()
 * edit the record and describe the event, write both, commit.  change()
 * returns 0 when there is nothing to do.
 */
struct change {
	const char *by, *text;
	const char *type;
	json_t *detail;
};

static int
transition(struct store *st, const char *id,
    int (*change)(json_t *out, const char *now, struct change *c),
    struct change *c, json_t **rec, char *err, size_t errlen)
{
	const char *ids[] = { id };
	char now[RFC3339_LEN];
	int rc = 0;

	*rec = NULL;
	for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		struct rows rows;
		json_t *out, *detail;

		c->detail = NULL;
		rfc3339_now(now, sizeof now);
		rows_init(&rows, ids, 1);
		if ((rc = st->ops->begin(st->be, err, errlen)) < 0 ||
		    (rc = st->ops->load(st->be, "incidents", ids, 1, on_row,
		    &rows, err, errlen)) < 0)
			goto next;
		if (!rows.r[0].had) {
			st->ops->end(st->be, 1, NULL, 0);
			rows_free(&rows);
			return STORE_NOTFOUND;
		}
		out = cur_json(st, &rows.r[0]);
		if (!change(out, now, c)) {
			st->ops->end(st->be, 1, NULL, 0);
			rows_free(&rows);
			*rec = out;
			return 0;
		}
		set_store(st, out, now, rows.r[0].v + 1);
		detail = c->detail;
		c->detail = NULL;
		rc = put_incident_row(st, out, now, 1, err, errlen);
		if (rc == 0)
			rc = put_event(st, id, now, c->type, c->by, detail,
			    err, errlen);
		else
			json_decref(detail);
		if (rc == 0)
			rc = st->ops->end(st->be,
			    (st->flags & STORE_DRY_RUN) != 0, err, errlen);
		if (rc < 0) {
			json_decref(out);
			goto next;
		}
		rows_free(&rows);
		*rec = out;
		return 0;
next:
		json_decref(c->detail);
		st->ops->end(st->be, 1, NULL, 0);
		rows_free(&rows);
		if (rc != STORE_RETRY)
			break;
		nap_ms(attempt);
	}
	return STORE_ERR;
}

static int
ack_change(json_t *out, const char *now, struct change *c)
{
	const char *s = record_str(out, "status");

	/* Acknowledging is a step forward only. */
	if (s && (strcmp(s, "acknowledged") == 0 ||
	    strcmp(s, "resolved") == 0))
		return 0;
	json_object_set_new(out, "status", json_string("acknowledged"));
	json_object_set_new(out, "acknowledged_at", json_string(now));
	json_object_set_new(out, "acknowledged_by", json_string(c->by));
	c->type = "acknowledged";
	c->detail = json_pack("{s:s}", "by", c->by);
	return 1;
}

static int
resolve_change(json_t *out, const char *now, struct change *c)
{
	const char *s = record_str(out, "status");
	const char *r = record_str(out, "resolution");
	int was = s && strcmp(s, "resolved") == 0;

	if (was && r && strcmp(r, c->text) == 0)
		return 0;
	json_object_set_new(out, "status", json_string("resolved"));
	if (!was || !json_object_get(out, "resolved_at"))
		json_object_set_new(out, "resolved_at", json_string(now));
	json_object_set_new(out, "resolution", json_string(c->text));
	c->type = "resolved";
	c->detail = json_pack("{s:s, s:s}", "by", c->by, "resolution",
	    c->text);
	return 1;
}

int
store_ack(struct store *st, const char *id, const char *by, json_t **rec,
    char *err, size_t errlen)
{
	struct change c = { .by = by };

	return transition(st, id, ack_change, &c, rec, err, errlen);
}

int
store_resolve(struct store *st, const char *id, const char *resolution,
    const char *by, json_t **rec, char *err, size_t errlen)
{
	struct change c = { .by = by, .text = resolution };

	return transition(st, id, resolve_change, &c, rec, err, errlen);
}

/* Whether an event's detail has the wanted value at key. */
struct once {
	const char *key;
	const json_t *want;
	int found;
};

static int
once_row(void *arg, int ncols, const char *const *vals)
{
	struct once *o = arg;
	json_t *d = vals[0] ? json_loads(vals[0], JSON_DECODE_ANY, NULL) :
	    NULL;

	(void)ncols;
	if (json_equal(json_object_get(d, o->key), (json_t *)o->want))
		o->found = 1;
	json_decref(d);
	return o->found;
}

int
store_event_once(struct store *st, const char *id, const char *type,
    const char *actor, json_t *detail, const char *key, char *err,
    size_t errlen)
{
	const char *ids[] = { id };
	const char *params[] = { id, type };
	char now[RFC3339_LEN];
	int rc = 0;

	for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		struct once o = { key, json_object_get(detail, key), 0 };
		struct rows rows;

		rfc3339_now(now, sizeof now);
		rows_init(&rows, ids, 1);
		/* The row lock makes the look and the append one step: of
		 * two processes racing, one appends. */
		if ((rc = st->ops->begin(st->be, err, errlen)) < 0 ||
		    (rc = st->ops->load(st->be, "incidents", ids, 1, on_row,
		    &rows, err, errlen)) < 0)
			goto next;
		if (!rows.r[0].had) {
			st->ops->end(st->be, 1, NULL, 0);
			rows_free(&rows);
			json_decref(detail);
			return STORE_NOTFOUND;
		}
		if ((rc = st->ops->query(st->be, "SELECT detail FROM events"
		    " WHERE incident_id = $1 AND type = $2", 2, params,
		    once_row, &o, err, errlen)) < 0)
			goto next;
		if (o.found) {
			st->ops->end(st->be, 1, NULL, 0);
			rows_free(&rows);
			json_decref(detail);
			return 0;
		}
		rc = put_event(st, id, now, type, actor, json_incref(detail),
		    err, errlen);
		if (rc == 0)
			rc = st->ops->end(st->be,
			    (st->flags & STORE_DRY_RUN) != 0, err, errlen);
		if (rc < 0)
			goto next;
		rows_free(&rows);
		json_decref(detail);
		return 1;
next:
		st->ops->end(st->be, 1, NULL, 0);
		rows_free(&rows);
		if (rc != STORE_RETRY)
			break;
		nap_ms(attempt);
	}
	json_decref(detail);
	return STORE_ERR;
}

/* The knowledge base */

int
store_kb_version(struct store *st, int64_t *version, char *err,
    size_t errlen)
{
	char *text = NULL;
	int rc;

	rc = st->ops->query(st->be, "SELECT version FROM kb_meta WHERE id = 1",
	    0, NULL, first_value, &text, err, errlen);
	*version = text ? strtoll(text, NULL, 10) : 0;
	free(text);
	return rc < 0 ? STORE_ERR : 0;
}

int
store_kb_stamp(struct store *st, char *stamp, size_t len, char *err,
    size_t errlen)
{
	char *text = NULL;
	int rc;

	/* || reads the same on both backends. */
	rc = st->ops->query(st->be, "SELECT version || ':' ||"
	    " COALESCE(updated_at, '') FROM kb_meta WHERE id = 1", 0, NULL,
	    first_value, &text, err, errlen);
	snprintf(stamp, len, "%s", text ? text : "0:");
	free(text);
	return rc < 0 ? STORE_ERR : 0;
}

struct kbwalk {
	int (*fn)(const struct store_kb_doc *, void *);
	void *arg;
	float *vec;
	size_t cap;
};

static int
kb_row(void *arg, int ncols, const char *const *vals)
{
	struct kbwalk *w = arg;
	struct store_kb_doc d = { vals[0], vals[1], vals[2], vals[3],
	    vals[4], 0, NULL, vals[7] };
	const char *h = vals[6];
	size_t n = h ? strlen(h) / 8 : 0;

	(void)ncols;
	if (n > w->cap) {
		float *v = realloc(w->vec, n * sizeof *v);
		if (!v)
			return STORE_ERR;
		w->vec = v;
		w->cap = n;
	}
	/* Stored little-endian, whatever this host is. */
	for (size_t i = 0; i < n; i++) {
		uint32_t u = 0;
		for (int b = 0; b < 4; b++) {
			const char *x = h + 8 * i + 2 * (size_t)b;
			int hi = hex_digit((unsigned char)x[0]);
			int lo = hex_digit((unsigned char)x[1]);
			if (hi < 0 || lo < 0)
				return STORE_ERR;
			u |= (uint32_t)(hi << 4 | lo) << (8 * b);
		}
		memcpy(&w->vec[i], &u, 4);
	}
	if (n) {
		d.dim = (int)n;
		d.vector = w->vec;
	}
	return w->fn(&d, w->arg);
}

int
store_kb_each(struct store *st, const char *model,
    int (*fn)(const struct store_kb_doc *, void *), void *arg, char *err,
    size_t errlen)
{
	struct kbwalk w = { fn, arg, NULL, 0 };
	const char *params[] = { model };
	char sql[256];
	int rc;

	err[0] = '\0';
	snprintf(sql, sizeof sql, "SELECT id, title, severity, resolution,"
	    " model, dim, %s, record FROM kb%s ORDER BY id",
	    st->ops->vector_hex, model ? " WHERE model = $1" : "");
	rc = st->ops->query(st->be, sql, model ? 1 : 0, params, kb_row, &w,
	    err, errlen);
	free(w.vec);
	if (rc == STORE_ERR && !*err)
		snprintf(err, errlen, "kb: bad vector in the database");
	return rc;
}
