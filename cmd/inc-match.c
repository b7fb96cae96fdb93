/*
 * inc-match: find the knowledge-base documents nearest to each record.
 *
 * The index is built from the store's knowledge base (SQLite or
 * PostgreSQL) into a vector index file under the state directory and
 * mapped from there on, so a one-record pipe starts on it at once; it is
 * rebuilt when the knowledge base's version in the store moves, which a
 * long-running inc-match checks while it waits for input.  Records that
 * arrive together are searched together, in one pass over the index.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "embed.h"
#include "fs.h"
#include "jscan.h"
#include "json.h"
#include "kbindex.h"
#include "log.h"
#include "record.h"
#include "sig.h"
#include "store.h"
#include "version.h"
#include "vindex.h"

#define USAGE \
	"usage: inc-match [-k n] [--min-score s] [-d url] " \
	"[--kind incidents | kb | all]\n" \
	"                 [--model id] [--strict] [--reject file]\n"

#define STAGE "inc-match"
#define BATCH 256

enum kind { K_ALL = KBINDEX_ALL, K_KB = KBINDEX_KB,
	K_INCIDENTS = KBINDEX_INCIDENTS };

struct opts {
	long k;
	double min_score;
	struct cli_opts cli;
	const char *db, *model;
	enum kind kind;
};

/* A record waiting for its search: a line (bulk path) or a tree. */
struct pending {
	char *line;		/* compacted line, or NULL */
	json_t *rec;		/* or the parsed record */
	float *vec;		/* its query vector, or NULL: no search */
	const char *error;	/* why it has none */
	char errbuf[200];
};

struct matcher {
	struct opts *o;
	struct record_stream *s;
	struct store *st;
	struct kbindex *kb;
	struct vindex *ix;	/* kb's index, borrowed */
	struct pending q[BATCH];
	int nq;
	struct jscan scan;
	struct json_buf buf, out;
	struct vindex_hit *hits;
};

/*
 * Have an index as new as the knowledge base (lib/kbindex.h): checks the
 * store at most once a second unless forced.
 */
static int
refresh(struct matcher *m, int force, char *err, size_t errlen)
{
	int rc = kbindex_refresh(m->kb, m->st, force, err, errlen);

	if (kbindex_warning(m->kb))
		log_warn(NULL, "%s", kbindex_warning(m->kb));
	m->ix = kbindex_index(m->kb);
	return rc;
}

/* Searching and writing. */

/* The query vector of a record, or why there is none. */
static float *
query_vector(struct matcher *m, const char *model, size_t mlen,
    const char *vec, size_t vlen, int dim, struct pending *p)
{
	int want = vindex_dim(m->ix);
	const char *im = vindex_model(m->ix);
	float *v;

	if (vindex_size(m->ix) == 0) {
		p->error = "the knowledge base has no embedded documents: "
		    "load it with inc-ingest --kb | inc-embed --fit | "
		    "inc-store --kb";
		return NULL;
	}
	if (strlen(im) != mlen || memcmp(im, model, mlen) != 0) {
		snprintf(p->errbuf, sizeof p->errbuf, "model %.*s, index has "
		    "%s: embed with the model of the knowledge base",
		    (int)(mlen > 80 ? 80 : mlen), model, im);
		p->error = p->errbuf;
		return NULL;
	}
	if (dim != want) {
		snprintf(p->errbuf, sizeof p->errbuf, "embedding has %d "
		    "dimensions, index has %d", dim, want);
		p->error = p->errbuf;
		return NULL;
	}
	if (!(v = malloc((size_t)dim * sizeof *v)) ||
	    embed_b64_decode(vec, vlen, v, dim) < 0) {
		free(v);
		p->error = "embedding.vector is not base64 of dim floats";
		return NULL;
	}
	return v;
}

/* The embedding of a parsed record: base64 or a JSON array. */
static float *
tree_vector(struct matcher *m, const json_t *rec, struct pending *p)
{
	const json_t *e = json_object_get(rec, "embedding");
	const json_t *vec = json_object_get(e, "vector");
	const char *model = json_string_value(json_object_get(e, "model"));
	int dim = (int)json_integer_value(json_object_get(e, "dim"));

	if (!json_is_object(e) || !model) {
		p->error = "no embedding: run inc-embed first";
		return NULL;
	}
	if (json_is_array(vec)) {
		/* --format array: turn it into the usual form first. */
		size_t n = json_array_size(vec), i;
		float *f = malloc((n ? n : 1) * sizeof *f);
		char *b;
		json_t *x;
		if (!f)
			return NULL;
		json_array_foreach(vec, i, x)
			f[i] = (float)json_number_value(x);
		b = embed_b64_encode(f, (int)n);
		free(f);
		float *v = query_vector(m, model, strlen(model), b ? b : "",
		    b ? strlen(b) : 0, (int)n, p);
		free(b);
		return v;
	}
	if (!json_is_string(vec)) {
		p->error = "embedding.vector is missing";
		return NULL;
	}
	return query_vector(m, model, strlen(model), json_string_value(vec),
	    json_string_length(vec), dim, p);
}

/* "matches":[...],"match":{...} for the hits of one record. */
static void
members(struct matcher *m, const struct vindex_hit *h, int nh, double ms)
{
	char num[96];
	int kept = 0;

	json_buf_put(&m->buf, "\"matches\":[", 11);
	for (int i = 0; i < nh; i++) {
		size_t len;
		const char *doc;
		if (h[i].score < m->o->min_score)
			break;
		doc = vindex_doc(m->ix, h[i].i, &len);
		if (kept++)
			json_buf_put(&m->buf, ",", 1);
		json_buf_put(&m->buf, doc, len - 1);	/* without its '}' */
		snprintf(num, sizeof num, ",\"score\":%.4f}",
		    (double)h[i].score);
		json_buf_put(&m->buf, num, strlen(num));
	}
	snprintf(num, sizeof num, "],\"match\":{\"k\":%ld,\"best\":%.4f,"
	    "\"index_size\":%zu,\"ms\":%.3f}", m->o->k,
	    kept ? (double)h[0].score : 0.0, vindex_size(m->ix), ms);
	json_buf_put(&m->buf, num, strlen(num));
}

/* Search every waiting record at once and write them all, in order. */
static void
run_batch(struct matcher *m)
{
	static const char *drop[] = { "matches", "match" };
	float *qv = NULL;
	int nv = 0, k = (int)m->o->k, found = 0;
	int64_t t0;
	double ms = 0;

	if (m->nq == 0)
		return;
	if (m->ix && vindex_size(m->ix) > 0) {
		qv = malloc((size_t)m->nq * (size_t)vindex_dim(m->ix) *
		    sizeof *qv);
		for (int i = 0; qv && i < m->nq; i++)
			if (m->q[i].vec)
				memcpy(qv + (size_t)nv++ * (size_t)vindex_dim(
				    m->ix), m->q[i].vec, (size_t)vindex_dim(
				    m->ix) * sizeof *qv);
	}
	t0 = clock_us();
	if (nv > 0) {
		found = vindex_search_batch(m->ix, qv, nv, k, m->hits);
		ms = (double)(clock_us() - t0) / 1000.0 / nv;
	}
	for (int i = 0, v = 0; i < m->nq; i++) {
		struct pending *p = &m->q[i];
		m->buf.len = 0;
		if (p->line) {
			/* Bulk lines always have a vector; the line is
			 * scanned again, now alone in the scanner. */
			members(m, m->hits + (size_t)v++ * (size_t)k,
			    found < 0 ? 0 : found, ms);
			m->out.len = 0;
			jscan_object(&m->scan, p->line, strlen(p->line));
			jscan_emit(&m->out, &m->scan, drop, 2, m->buf.data,
			    m->buf.len);
			json_buf_put(&m->out, "\n", 1);
			record_stream_write(m->s, m->out.data, m->out.len);
		} else {
			if (p->vec) {
				/* The same members, read into the tree. */
				json_buf_put(&m->buf, "{", 1);
				members(m, m->hits + (size_t)v++ * (size_t)k,
				    found < 0 ? 0 : found, ms);
				json_buf_put(&m->buf, "}", 1);
				json_t *add = json_loadb(m->buf.data,
				    m->buf.len, 0, NULL);
				if (add)
					json_object_update(p->rec, add);
				json_decref(add);
			} else {
				/* Matches from an earlier run would mislead
				 * the stages after this one. */
				json_object_del(p->rec, "matches");
				json_object_del(p->rec, "match");
				record_add_error(p->rec, STAGE, "%s",
				    p->error);
				m->s->n_failed++;
			}
			record_stream_emit(m->s, p->rec);
			json_decref(p->rec);
		}
		free(p->line);
		free(p->vec);
		memset(p, 0, sizeof *p);
	}
	m->nq = 0;
	free(qv);
}

static void
flush_batch(void *arg)
{
	run_batch(arg);
}

/*
 * The first record of a batch: is the index still the knowledge base's?
 * (Asked at most once a second; a record waits for the answer, so the
 * first record after a change already sees it.)
 */
static void
batch_start(struct matcher *m)
{
	char err[512];

	if (refresh(m, 0, err, sizeof err) < 0)
		log_warn(NULL, "knowledge base: %s", err);
}

static void batch_start(struct matcher *m);

/* The bulk path: a line with a base64 embedding, no jansson. */
static int
fast_line(const char *line, size_t len, void *arg)
{
	struct matcher *m = arg;
	const struct jscan_key *e;
	struct pending *p;
	struct jscan sub = { 0 };
	const struct jscan_key *mk, *vk, *dk;
	size_t ml, vl;
	const char *model, *vec;
	int ok = 0;

	/* A full batch goes first: run_batch() uses the scanner too. */
	if (m->nq == BATCH)
		run_batch(m);
	if (m->nq == 0)
		batch_start(m);
	if (!jscan_object(&m->scan, line, len) ||
	    !(e = jscan_get(&m->scan, "embedding")) || e->type != '{')
		return 0;
	/* The embedding object on its own, to index its keys. */
	if (!jscan_object(&sub, m->scan.out + e->voff, e->vlen))
		goto out;
	mk = jscan_get(&sub, "model");
	vk = jscan_get(&sub, "vector");
	dk = jscan_get(&sub, "dim");
	if (!mk || !vk || !dk || mk->type != '"' || vk->type != '"' ||
	    dk->type != '0' || mk->escaped || vk->escaped)
		goto out;
	model = jscan_str(&sub, mk, &ml);
	vec = jscan_str(&sub, vk, &vl);
	p = &m->q[m->nq];
	p->vec = query_vector(m, model, ml, vec, vl,
	    atoi(sub.out + dk->voff), p);
	if (!p->vec) {
		/* Let the tree path write the error. */
		memset(p, 0, sizeof *p);
		goto out;
	}
	p->line = strndup(m->scan.out, m->scan.len);
	m->nq++;
	ok = 1;
out:
	jscan_free(&sub);
	return ok;
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct matcher *m = arg;
	struct pending *p;

	if (m->nq == BATCH)
		run_batch(m);
	if (m->nq == 0)
		batch_start(m);
	p = &m->q[m->nq++];
	p->rec = json_incref(rec);
	p->vec = tree_vector(m, rec, p);
	return RECORD_TAKEN;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "min-score", required_argument, NULL, 'm' },
		{ "db", required_argument, NULL, 'd' },
		{ "kind", required_argument, NULL, 'K' },
		{ "model", required_argument, NULL, 'M' },
		CLI_OPT_STRICT,
		CLI_OPT_REJECT,
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "k:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->k = strtol(optarg, &end, 10);
			if (*end || o->k < 1 || o->k > 100)
				cli_usage_error(USAGE,
				    "-k: must be 1..100: ", optarg);
			break;
		case 'm':
			o->min_score = strtod(optarg, &end);
			if (*end || o->min_score < -1 || o->min_score > 1)
				cli_usage_error(USAGE,
				    "--min-score: must be -1..1: ",
				    optarg);
			break;
		case 'd':
			o->db = optarg;
			break;
		case 'K':
			if (strcmp(optarg, "kb") == 0)
				o->kind = K_KB;
			else if (strcmp(optarg, "incidents") == 0)
				o->kind = K_INCIDENTS;
			else if (strcmp(optarg, "all") == 0)
				o->kind = K_ALL;
			else
				cli_usage_error(USAGE,
				    "--kind: incidents, kb or all: ",
				    optarg);
			break;
		case 'M':
			o->model = optarg;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .k = 5, .min_score = -1 };
	struct record_stream s = { .stage = STAGE };
	struct matcher m = { .o = &o, .s = &s };
	char err[512];
	int rc;

	log_init("inc-match");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (store_open(&m.st, o.db, 0, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_UNAVAILABLE;
	}
	if (!(m.kb = kbindex_new((enum kbindex_kind)o.kind, o.model))) {
		log_error(NULL, "out of memory");
		return EX_OSERR;
	}
	if (refresh(&m, 1, err, sizeof err) < 0) {
		log_error(NULL, "knowledge base: %s", err);
		store_close(m.st);
		return EX_UNAVAILABLE;
	}
	if (!(m.hits = malloc((size_t)BATCH * (size_t)o.k *
	    sizeof *m.hits))) {
		log_error(NULL, "out of memory");
		return EX_OSERR;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		return rc;
	s.out = stdout;
	s.flush = flush_batch;
	s.flush_arg = &m;
	if (record_bulk_path())
		s.fast = fast_line;
	rc = record_stream_run(&s, 0, one, &m);
	cli_stream_close(&s);
	kbindex_free(m.kb);
	store_close(m.st);
	jscan_free(&m.scan);
	json_buf_free(&m.buf);
	json_buf_free(&m.out);
	free(m.hits);
	return rc;
}
