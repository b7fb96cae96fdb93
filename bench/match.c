/*
 * match.c: the search core of inc-match (lib/vindex.h) on clustered,
 * embedding-like vectors.  A helper of bench/match, which builds it
 * against build/libinc.a and prints its figures beside FAISS's.
 *
 *   match [-n N] [-d DIM] [-q NQ] [-c CENTRES] [-b BATCH] [-r REPS]
 *         [-k K] [--seed S] [--dump DIR] [--kb-jsonl FILE]
 *         [--query-jsonl FILE] [--query-n M] [--no-bench]
 *
 * The data: CENTRES centres with N(0,1) components; each vector is a
 * centre (picked uniformly) plus gaussian noise of a spread drawn per
 * cluster from [0.6, 1.2] times the centre's per-component size, then
 * normalised.  A vector's cosine to its centre is then 0.64..0.86 and to
 * another of its cluster 0.41..0.74, about what sentence embeddings of
 * related texts show; across clusters it is near 0.  The NQ queries come
 * from the same centres and spreads.  Everything depends on the seed.
 *
 * Figures go to stdout as "key value" lines: build time, single-query
 * latency of vindex_search (every query once, after a warm-up; p50, p99,
 * mean), throughput of vindex_search_batch in batches of BATCH (best of
 * REPS passes over all queries), latency of the float brute force
 * vindex_search_exact, and recall@K of both searches against it.
 *
 * --dump DIR writes base.f32 (N x DIM), queries.f32 (NQ x DIM) and
 * truth.i32 (NQ x K exact ids, best first) for the FAISS peer.
 * --kb-jsonl and --query-jsonl write the same vectors as kb records and
 * incident records with a base64 embedding (model "bench-synthetic-dDIM"),
 * for a run of the real inc-store and inc-match.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed.h"
#include "vindex.h"

static uint64_t rng_state;

static uint64_t
next(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static double
uniform(void)
{
	return (double)(next() >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	static int have;
	static double spare;
	double u, v, r;

	if (have) {
		have = 0;
		return spare;
	}
	u = uniform() + 1e-300;
	v = uniform();
	r = sqrt(-2 * log(u));
	spare = r * sin(2 * M_PI * v);
	have = 1;
	return r * cos(2 * M_PI * v);
}

static void
normalise(float *v, int d)
{
	double s = 0;

	for (int j = 0; j < d; j++)
		s += (double)v[j] * v[j];
	s = s > 0 ? 1 / sqrt(s) : 0;
	for (int j = 0; j < d; j++)
		v[j] = (float)(v[j] * s);
}

struct clusters {
	int c, d;
	float *cent;
	double *spread;
};

static void
point(const struct clusters *cl, float *out)
{
	size_t k = (size_t)(uniform() * cl->c);

	for (int j = 0; j < cl->d; j++)
		out[j] = cl->cent[k * (size_t)cl->d + (size_t)j] +
		    (float)(cl->spread[k] * gauss());
	normalise(out, cl->d);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-quantile (nearest rank) of n sorted values. */
static double
quantile(const double *v, int n, double p)
{
	int k = (int)ceil(p * n);

	if (k < 1)
		k = 1;
	return v[k - 1];
}

static void
latency(const char *key, double *ms, int n)
{
	double sum = 0;

	for (int i = 0; i < n; i++)
		sum += ms[i];
	qsort(ms, (size_t)n, sizeof *ms, cmp_double);
	printf("%s_p50_ms %.4f\n%s_p99_ms %.4f\n%s_mean_ms %.4f\n"
	    "%s_n %d\n", key, quantile(ms, n, 0.5), key, quantile(ms, n,
	    0.99), key, sum / n, key, n);
}

/* |a ∩ b| of two hit lists of k. */
static int
overlap(const struct vindex_hit *a, const struct vindex_hit *b, int k)
{
	int n = 0;

	for (int i = 0; i < k; i++)
		for (int j = 0; j < k; j++)
			if (a[i].i == b[j].i) {
				n++;
				break;
			}
	return n;
}

static int
write_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static int
write_jsonl(const char *path, const float *v, size_t n, int d, int kb)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char *b = embed_b64_encode(v + i * (size_t)d, d);
		if (kb)
			fprintf(f, "{\"id\":\"kb:bench:%06zu\",\"kind\":\"kb\","
			    "\"title\":\"synthetic document %zu\","
			    "\"embedding\":{\"model\":\"bench-synthetic-d%d\","
			    "\"dim\":%d,\"vector\":\"%s\"}}\n", i, i, d, d, b);
		else
			fprintf(f, "{\"id\":\"BQ-%06zu\",\"title\":\"query %zu\","
			    "\"embedding\":{\"model\":\"bench-synthetic-d%d\","
			    "\"dim\":%d,\"vector\":\"%s\"}}\n", i, i, d, d, b);
		free(b);
	}
	if (fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: match [-n N] [-d DIM] [-q NQ] [-c CENTRES] "
	    "[-b BATCH] [-r REPS] [-k K]\n"
	    "             [--seed S] [--dump DIR] [--kb-jsonl FILE] "
	    "[--query-jsonl FILE] [--query-n M] [--no-bench]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	size_t n = 100000;
	int d = 384, nq = 1000, c = 1000, bs = 256, reps = 3, k = 10;
	int qn = 200, bench = 1;
	uint64_t seed = 1;
	const char *dump = NULL, *kbj = NULL, *qj = NULL;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--no-bench") == 0) {
			bench = 0;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "-n") == 0)
			n = strtoull(v, NULL, 10);
		else if (strcmp(a, "-d") == 0)
			d = atoi(v);
		else if (strcmp(a, "-q") == 0)
			nq = atoi(v);
		else if (strcmp(a, "-c") == 0)
			c = atoi(v);
		else if (strcmp(a, "-b") == 0)
			bs = atoi(v);
		else if (strcmp(a, "-r") == 0)
			reps = atoi(v);
		else if (strcmp(a, "-k") == 0)
			k = atoi(v);
		else if (strcmp(a, "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else if (strcmp(a, "--dump") == 0)
			dump = v;
		else if (strcmp(a, "--kb-jsonl") == 0)
			kbj = v;
		else if (strcmp(a, "--query-jsonl") == 0)
			qj = v;
		else if (strcmp(a, "--query-n") == 0)
			qn = atoi(v);
		else
			usage();
	}
	if (n < 1 || d < 8 || nq < 1 || c < 1 || bs < 1 || reps < 1 ||
	    k < 1 || k > 100 || (size_t)k > n)
		usage();
	if (qn > nq)
		qn = nq;

	/* The data. */
	struct clusters cl = { c, d, NULL, NULL };
	float *base, *q;
	double t0 = now();
	rng_state = seed;
	cl.cent = malloc((size_t)c * (size_t)d * sizeof *cl.cent);
	cl.spread = malloc((size_t)c * sizeof *cl.spread);
	base = malloc(n * (size_t)d * sizeof *base);
	q = malloc((size_t)nq * (size_t)d * sizeof *q);
	if (!cl.cent || !cl.spread || !base || !q) {
		fprintf(stderr, "match: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < (size_t)c * (size_t)d; i++)
		cl.cent[i] = (float)gauss();
	for (int i = 0; i < c; i++)
		cl.spread[i] = 0.6 + 0.6 * uniform();
	for (size_t i = 0; i < n; i++)
		point(&cl, base + i * (size_t)d);
	for (int i = 0; i < nq; i++)
		point(&cl, q + (size_t)i * (size_t)d);
	printf("n %zu\ndim %d\nqueries %d\ncentres %d\nk %d\nbatch %d\n"
	    "gen_s %.3f\n", n, d, nq, c, k, bs, now() - t0);

	if (kbj && write_jsonl(kbj, base, n, d, 1) < 0)
		return 1;
	if (qj && write_jsonl(qj, q, (size_t)qn, d, 0) < 0)
		return 1;
	if (!bench && !dump)
		return 0;

	t0 = now();
#ifdef VINDEX_STAMP_MAX	/* the knowledge base's stamp: a string */
	struct vindex *ix = vindex_build(base, n, d, NULL, "bench", "bench");
#else			/* its version: a number */
	struct vindex *ix = vindex_build(base, n, d, NULL, "bench", 1);
#endif
	if (!ix) {
		fprintf(stderr, "match: vindex_build failed\n");
		return 1;
	}
	printf("build_s %.3f\n", now() - t0);

	struct vindex_hit *exact = malloc((size_t)nq * (size_t)k *
	    sizeof *exact);
	struct vindex_hit *one = malloc((size_t)nq * (size_t)k * sizeof *one);
	struct vindex_hit *batch = malloc((size_t)nq * (size_t)k *
	    sizeof *batch);
	double *ms = malloc((size_t)nq * sizeof *ms);
	if (!exact || !one || !batch || !ms) {
		fprintf(stderr, "match: out of memory\n");
		return 1;
	}

	/* The reference, timed too: a float scan of every vector. */
	for (int i = 0; i < nq; i++) {
		double a = now();
		vindex_search_exact(ix, q + (size_t)i * (size_t)d, k,
		    exact + (size_t)i * (size_t)k);
		ms[i] = (now() - a) * 1e3;
	}
	if (bench)
		latency("exact", ms, nq);
	if (dump) {
		int32_t *truth = malloc((size_t)nq * (size_t)k *
		    sizeof *truth);
		for (size_t i = 0; i < (size_t)nq * (size_t)k; i++)
			truth[i] = (int32_t)exact[i].i;
		if (write_file(dump, "base.f32", base, n * (size_t)d *
		    sizeof *base) < 0 ||
		    write_file(dump, "queries.f32", q, (size_t)nq *
		    (size_t)d * sizeof *q) < 0 ||
		    write_file(dump, "truth.i32", truth, (size_t)nq *
		    (size_t)k * sizeof *truth) < 0)
			return 1;
		free(truth);
	}
	if (!bench)
		return 0;

	/* Single queries, one at a time, after a warm-up. */
	for (int i = 0; i < 20 && i < nq; i++)
		vindex_search(ix, q + (size_t)i * (size_t)d, k, one);
	for (int i = 0; i < nq; i++) {
		double a = now();
		vindex_search(ix, q + (size_t)i * (size_t)d, k,
		    one + (size_t)i * (size_t)k);
		ms[i] = (now() - a) * 1e3;
	}
	latency("single", ms, nq);

	/* Batches: every query once per pass; the best pass counts. */
	double best = 0;
	for (int r = 0; r < reps; r++) {
		double a = now();
		for (int i = 0; i < nq; i += bs) {
			int m = nq - i < bs ? nq - i : bs;
			vindex_search_batch(ix, q + (size_t)i * (size_t)d, m,
			    k, batch + (size_t)i * (size_t)k);
		}
		double t = now() - a;
		if (r == 0 || t < best)
			best = t;
	}
	printf("batch_qps %.1f\nbatch_s %.4f\n", nq / best, best);

	/* Recall@k against the float scan. */
	long hit1 = 0, hitb = 0;
	int worst = k;
	for (int i = 0; i < nq; i++) {
		int o = overlap(one + (size_t)i * (size_t)k, exact +
		    (size_t)i * (size_t)k, k);
		hit1 += o;
		if (o < worst)
			worst = o;
		hitb += overlap(batch + (size_t)i * (size_t)k, exact +
		    (size_t)i * (size_t)k, k);
	}
	printf("recall_single %.4f\nrecall_batch %.4f\nrecall_worst_query "
	    "%.2f\n", (double)hit1 / ((double)nq * k), (double)hitb /
	    ((double)nq * k), (double)worst / k);
	/* What the data looks like: the exact scores of the hits. */
	double s1 = 0, sk = 0;
	for (int i = 0; i < nq; i++) {
		s1 += exact[(size_t)i * (size_t)k].score;
		sk += exact[(size_t)i * (size_t)k + (size_t)k - 1].score;
	}
	printf("score_top1_mean %.3f\nscore_topk_mean %.3f\n", s1 / nq,
	    sk / nq);
	vindex_free(ix);
	free(base);
	free(q);
	free(exact);
	free(one);
	free(batch);
	free(ms);
	free(cl.cent);
	free(cl.spread);
	return 0;
}
