/*
 * vindex: the two-pass search finds what brute force finds (recall@10 of
 * at least 0.99 on clustered, embedding-like data), batched and single
 * searches agree, and an index survives a trip through its file.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "vindex.h"
#include "unit.h"

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double u = uniform() + 1e-12, v = uniform();
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static void
normalise(float *v, int d)
{
	double s = 0;
	for (int j = 0; j < d; j++)
		s += (double)v[j] * v[j];
	s = 1 / sqrt(s);
	for (int j = 0; j < d; j++)
		v[j] = (float)(v[j] * s);
}

/* c random centres of d dimensions. */
static float *
centres(int c, int d)
{
	float *cent = malloc((size_t)c * (size_t)d * sizeof *cent);

	for (size_t i = 0; i < (size_t)c * (size_t)d; i++)
		cent[i] = (float)gauss();
	return cent;
}

/* n vectors around the c centres: the shape of real embeddings. */
static float *
clustered(const float *cent, size_t n, int d, int c, double spread)
{
	float *v = malloc(n * (size_t)d * sizeof *v);

	for (size_t i = 0; i < n; i++) {
		size_t k = (size_t)(uniform() * c);
		for (int j = 0; j < d; j++)
			v[i * (size_t)d + (size_t)j] = cent[k * (size_t)d +
			    (size_t)j] + (float)(spread * gauss());
		normalise(v + i * (size_t)d, d);
	}
	return v;
}

int
main(void)
{
	const size_t n = 20000;
	const int d = 384, k = 10, nq = 200;
	/* Queries come from the same clusters as the data: each has close
	 * neighbours, and the top 10 are close together. */
	float *cent = centres(50, d);
	float *base = clustered(cent, n, d, 50, 0.8);
	float *q = clustered(cent, (size_t)nq, d, 50, 0.8);
	const char *docs[3] = { "{\"id\":\"a\"}", NULL, "{\"id\":\"c\"}" };
	struct vindex_hit got[10], want[10], *batch;
	struct vindex *ix = vindex_build(base, n, d, NULL, "m1", "7:t"), *ix2;
	char path[] = "/tmp/vindex-test.XXXXXX", why[256];
	int hit = 0, agree = 1, fd;
	size_t len;

	CHECK(ix != NULL && vindex_size(ix) == n && vindex_dim(ix) == d);
	batch = malloc((size_t)nq * (size_t)k * sizeof *batch);
	CHECK(vindex_search_batch(ix, q, nq, k, batch) == k);
	for (int t = 0; t < nq; t++) {
		const float *qq = q + (size_t)t * (size_t)d;
		CHECK(vindex_search(ix, qq, k, got) == k);
		CHECK(vindex_search_exact(ix, qq, k, want) == k);
		for (int a = 0; a < k; a++)
			for (int b = 0; b < k; b++)
				hit += got[a].i == want[b].i;
		for (int a = 0; a < k; a++)
			if (got[a].i != batch[t * k + a].i)
				agree = 0;
		/* Scores are exact, and best first. */
		for (int a = 0; a + 1 < k; a++)
			CHECK(got[a].score >= got[a + 1].score);
		CHECK(fabsf(got[0].score - want[0].score) < 1e-5);
	}
	double recall = (double)hit / (nq * k);
	printf("recall@10 %.4f over %d queries, %zu vectors\n", recall, nq, n);
	CHECK(recall >= 0.99);
	CHECK(agree);

	/* Through a file. */
	fd = mkstemp(path);
	CHECK(fd >= 0);
	close(fd);
	CHECK(vindex_save(ix, path, why, sizeof why) == 0);
	ix2 = vindex_open(path, why, sizeof why);
	CHECK(ix2 != NULL);
	if (ix2) {
		CHECK_STR(vindex_model(ix2), "m1");
		CHECK_STR(vindex_stamp(ix2), "7:t");
		CHECK(vindex_search(ix2, q, k, got) == k);
		CHECK(vindex_search(ix, q, k, want) == k);
		CHECK(memcmp(got, want, sizeof got) == 0);
		vindex_free(ix2);
	}
	/* A damaged file is refused, not trusted. */
	CHECK(truncate(path, 1000) == 0);
	CHECK(vindex_open(path, why, sizeof why) == NULL);
	unlink(path);
	vindex_free(ix);

	/* Documents come back for their vectors; tiny indexes work. */
	ix = vindex_build(base, 3, d, docs, "m2", "1:");
	CHECK(vindex_search(ix, base + d * 2, 5, got) == 3 && got[0].i == 2);
	CHECK(strncmp(vindex_doc(ix, 2, &len), "{\"id\":\"c\"}", len) == 0 &&
	    len == 10);
	vindex_doc(ix, 1, &len);
	CHECK(len == 0);
	vindex_free(ix);
	free(base);
	free(q);
	free(cent);
	free(batch);
	return unit_done();
}
