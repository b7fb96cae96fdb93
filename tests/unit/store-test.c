/*
 * store: the text path of the merge (store_put_line) against the tree
 * path (store_put).  Two in-memory SQLite stores take the same random
 * stream of records, acks and resolves, one by each path; what they pass
 * on, what they keep and their timelines must agree, apart from the
 * clock.  INC_STORE_ROUNDS sets how many records (20000 by default).
 * Then the knowledge base as inc-match reads it.
 */
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "store.h"
#include "unit.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Times the test writes are in 2001; any other is the store's clock. */
static void
unclock(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_del(v, "stored_at");
		json_object_del(v, "at");
		json_object_foreach(v, key, x) {
			const char *s = json_string_value(x);
			if (s && strlen(s) == 27 && s[10] == 'T' &&
			    strncmp(s, "2001", 4) != 0)
				json_object_set_new(v, key,
				    json_string("CLOCK"));
			else
				unclock(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			unclock(x);
	}
}

struct sink {
	json_t *out;	/* what was passed on, in order */
};

static void
done(const struct store_result *res, void *arg)
{
	struct sink *k = arg;
	json_t *r = res->rec ? json_deep_copy(res->rec) :
	    json_loadb(res->line, res->len, 0, NULL);

	CHECK(r != NULL);
	if (!r)
		return;
	unclock(r);
	json_object_set_new(r, "_stored", json_boolean(res->stored));
	json_object_set_new(r, "_failed", json_boolean(res->failed));
	json_array_append_new(k->out, r);
}

/* A record over a few ids, from pieces that exercise the merge rules. */
static void
make_record(char *buf, size_t len)
{
	static const char *const titles[] = { "disk full", "disk full!",
	    "caf\\u00e9", "café", "x\\\"y" };
	static const char *const extras[] = {
		"",
		",\"severity\":\"HIGH\"",
		",\"severity\":\"LOW\",\"classification\":{\"method\":\"rag\"}",
		",\"status\":\"acknowledged\",\"acknowledged_at\":"
		    "\"2001-01-01T00:10:00.000000Z\"",
		",\"status\":\"bogus\"",
		",\"status\":\"resolved\"",
		",\"metadata\":{\"alert\":{\"status\":\"firing\"}}",
		",\"metadata\":{\"alert\":{\"status\":\"resolved\","
		    "\"endsAt\":\"2001-01-01T02:00:00+01:00\"}}",
		",\"metadata\":{ \"alert\" : {\"endsAt\":"
		    "\"2001-01-01T03:00:00Z\",\"status\":\"resolved\"}}",
		",\"store\":{\"backend\":\"elsewhere\",\"version\":99}",
		",\"team\":{\"a\":[1,2.5,{\"b\":null}]}",
		",\"team\":{\"a\":[1, 2.5, {\"b\":null}]}",
		",\"errors\":[{\"stage\":\"inc-x\",\"error\":\"e\",\"at\":"
		    "\"2001-01-01T00:00:00.000000Z\"}]",
		",\"source\":\"grafana\"",
		",\"source\":\"gr\\u0061fana\"",
		",\"kind\":\"incident\"",
		",\"reported_at\":\"2001-01-01T00:00:00Z\"",
	};
	size_t n = (size_t)snprintf(buf, len, "{\"id\":\"u-%u\","
	    "\"title\":\"%s\"", rnd(8), titles[rnd(5)]);

	for (unsigned i = rnd(4); i > 0 && n < len; i--)
		n += (size_t)snprintf(buf + n, len - n, "%s",
		    extras[rnd(sizeof extras / sizeof extras[0])]);
	snprintf(buf + n, len - n, "}");
}

/*
 * A record may carry the same key twice (two extras alike): both paths
 * must then agree that jansson's reading (the last one) counts.
 */
static long n_text;	/* records the text path took */

static void
put_both(struct store *a, struct store *b, const char *line)
{
	char why[128];
	json_t *rec = record_parse(line, strlen(line), why, sizeof why);
	int rc;

	CHECK(rec != NULL);
	if (!rec)
		return;
	rc = store_put_line(a, line, strlen(line), 0);
	if (rc == STORE_SLOW)
		store_put(a, rec, 0);
	else
		n_text++;
	store_put(b, rec, 0);
	json_decref(rec);
}

static int
collect_ev(const json_t *ev, void *arg)
{
	json_t *e = json_deep_copy(ev);

	unclock(e);
	json_array_append_new(arg, e);
	return 0;
}

struct kbseen {
	int n;
	char ids[256];
	float first;
	int dim;
};

static int
on_doc(const struct store_kb_doc *d, void *arg)
{
	struct kbseen *k = arg;

	k->n++;
	strncat(k->ids, d->id, sizeof k->ids - strlen(k->ids) - 2);
	strcat(k->ids, " ");
	if (d->vector) {
		k->first = d->vector[0];
		k->dim = d->dim;
	}
	return 0;
}

static void
ignore(const struct store_result *res, void *arg)
{
	(void)res, (void)arg;
}

/* What inc-match reads: the documents of one model, and a version that
 * moves with every change to the knowledge base. */
static void
test_kb(void)
{
	struct store *st;
	struct kbseen k = { 0 };
	char err[256];
	int64_t v0, v1, v2;
	const char *docs[] = {
		"{\"id\":\"k1\",\"kind\":\"kb\",\"title\":\"one\","
		    "\"embedding\":{\"model\":\"m\",\"dim\":3,"
		    "\"vector\":[0.25,-1,3e2]}}",
		"{\"id\":\"k2\",\"kind\":\"kb\",\"title\":\"two\","
		    "\"embedding\":{\"model\":\"other\","
		    "\"vector\":\"AACAPw==\"}}",
		"{\"id\":\"k3\",\"kind\":\"kb\",\"title\":\"no vector\"}",
	};

	CHECK(store_open(&st, ":memory:", 0, err, sizeof err) == 0);
	CHECK(store_kb_version(st, &v0, err, sizeof err) == 0);
	for (size_t i = 0; i < 3; i++) {
		json_t *r = json_loads(docs[i], 0, NULL);
		CHECK(store_put_line(st, docs[i], strlen(docs[i]), 0) ==
		    STORE_SLOW);
		store_put(st, r, STORE_KB_ONLY);
		json_decref(r);
	}
	CHECK(store_commit(st, ignore, NULL, err, sizeof err) == 0);
	CHECK(store_kb_version(st, &v1, err, sizeof err) == 0);
	CHECK(v1 == v0 + 1);
	CHECK(store_kb_each(st, "m", on_doc, &k, err, sizeof err) == 0);
	CHECK(k.n == 1);
	CHECK_STR(k.ids, "k1 ");
	CHECK(k.dim == 3 && k.first == 0.25f);
	memset(&k, 0, sizeof k);
	CHECK(store_kb_each(st, NULL, on_doc, &k, err, sizeof err) == 0);
	CHECK(k.n == 3);
	CHECK_STR(k.ids, "k1 k2 k3 ");
	/* The same documents again: no change, no new version. */
	for (size_t i = 0; i < 3; i++) {
		json_t *r = json_loads(docs[i], 0, NULL);
		store_put(st, r, 0);
		json_decref(r);
	}
	CHECK(store_commit(st, ignore, NULL, err, sizeof err) == 0);
	CHECK(store_kb_version(st, &v2, err, sizeof err) == 0);
	CHECK(v2 == v1);
	store_close(st);
}

int
main(void)
{
	const char *r = getenv("INC_STORE_ROUNDS");
	long rounds = r ? atol(r) : 20000;
	struct store *a, *b;
	struct sink ka = { json_array() }, kb = { json_array() };
	char err[256], line[1024];
	long commits = 0;

	CHECK(store_open(&a, "sqlite::memory:", 0, err, sizeof err) == 0);
	CHECK(store_open(&b, ":memory:", 0, err, sizeof err) == 0);
	CHECK_STR(store_backend(a), "sqlite");
	for (long i = 0; i < rounds; i++) {
		make_record(line, sizeof line);
		put_both(a, b, line);
		if (rnd(10) == 0 || i + 1 == rounds) {
			CHECK(store_commit(a, done, &ka, err, sizeof err) == 0);
			CHECK(store_commit(b, done, &kb, err, sizeof err) == 0);
			commits++;
		}
		if (rnd(50) == 0) {
			/* People act between batches, on both stores alike. */
			char id[16];
			json_t *ra = NULL, *rb = NULL;
			int x, y;
			snprintf(id, sizeof id, "u-%u", rnd(8));
			if (rnd(2)) {
				x = store_ack(a, id, "ann", &ra, err,
				    sizeof err);
				y = store_ack(b, id, "ann", &rb, err,
				    sizeof err);
			} else {
				x = store_resolve(a, id, "fixed", "bo", &ra,
				    err, sizeof err);
				y = store_resolve(b, id, "fixed", "bo", &rb,
				    err, sizeof err);
			}
			CHECK(x == y);
			json_decref(ra);
			json_decref(rb);
		}
	}
	CHECK(json_array_size(ka.out) == (size_t)rounds);
	CHECK(json_array_size(kb.out) == (size_t)rounds);
	for (size_t i = 0; i < json_array_size(ka.out); i++) {
		json_t *x = json_array_get(ka.out, i);
		json_t *y = json_array_get(kb.out, i);
		if (!json_equal(x, y)) {
			char *sx = json_dumps(x, JSON_COMPACT);
			char *sy = json_dumps(y, JSON_COMPACT);
			CHECK(!"the two paths passed on different records");
			fprintf(stderr, "record %zu:\n text %s\n tree %s\n",
			    i, sx, sy);
			free(sx);
			free(sy);
			break;
		}
	}
	for (unsigned i = 0; i < 8; i++) {
		char id[16];
		json_t *ga = NULL, *gb = NULL, *ea = json_array(),
		    *eb = json_array();
		snprintf(id, sizeof id, "u-%u", i);
		if (store_get(a, id, &ga, err, sizeof err) == 0 &&
		    store_get(b, id, &gb, err, sizeof err) == 0) {
			unclock(ga);
			unclock(gb);
			CHECK(json_equal(ga, gb));
		}
		store_events(a, id, collect_ev, ea, err, sizeof err);
		store_events(b, id, collect_ev, eb, err, sizeof err);
		CHECK(json_array_size(ea) > 0);
		/* seq differs (events interleave differently): drop it. */
		for (size_t j = 0; j < json_array_size(ea); j++)
			json_object_del(json_array_get(ea, j), "seq");
		for (size_t j = 0; j < json_array_size(eb); j++)
			json_object_del(json_array_get(eb, j), "seq");
		CHECK(json_equal(ea, eb));
		json_decref(ga);
		json_decref(gb);
		json_decref(ea);
		json_decref(eb);
	}
	/* Most records are plain enough for the text path. */
	CHECK(n_text > rounds / 2);
	printf("%ld records (%ld by the text path) in %ld batches\n", rounds,
	    n_text, commits);
	test_kb();
	json_decref(ka.out);
	json_decref(kb.out);
	store_close(a);
	store_close(b);
	return unit_done();
}
