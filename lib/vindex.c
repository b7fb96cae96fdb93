/* vindex: an int8 first pass and an exact float re-rank, in a mapped file. */
#include "vindex.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define HAVE_X86 1
#endif

#define ALIGN 64
#define BLOCK 1024	/* vectors per block of a batched scan */

struct vindex {
	size_t n;
	int dim, dimp;		/* dimp: dim rounded up to 32 for the codes */
	char model[VINDEX_MODEL_MAX];
	char stamp[VINDEX_STAMP_MAX];
	const float *vec;	/* n x dim */
	const int8_t *code;	/* n x dimp */
	const float *scale;	/* n */
	const int32_t *l1;	/* n: sum of |code| per vector */
	const uint64_t *doc_off;	/* n + 1 offsets into doc_blob */
	const char *doc_blob;
	void *map;		/* the file, when opened */
	size_t maplen;
	int fd;			/* the file, for reading float vectors */
	uint64_t off_vec;
	void *own;		/* the same, when built in memory */
};

struct header {
	char magic[8];
	uint32_t dim, dimp;
	uint64_t n;
	char stamp[VINDEX_STAMP_MAX];
	char model[VINDEX_MODEL_MAX];
	uint64_t off_vec, off_code, off_scale, off_l1, off_doc, off_blob;
	uint64_t size;
};

static const char magic[8] = "INCVIX03";

static size_t
up(size_t x)
{
	return (x + ALIGN - 1) & ~(size_t)(ALIGN - 1);
}

/* The layout of an index of n vectors and blob bytes of documents. */
static void
layout(struct header *h, size_t n, int dim, size_t blob)
{
	h->dim = (uint32_t)dim;
	h->dimp = (uint32_t)((dim + 31) & ~31);
	h->n = n;
	h->off_vec = up(sizeof *h);
	h->off_code = up(h->off_vec + n * (size_t)dim * sizeof(float));
	h->off_scale = up(h->off_code + n * (size_t)h->dimp);
	h->off_l1 = up(h->off_scale + n * sizeof(float));
	h->off_doc = up(h->off_l1 + n * sizeof(int32_t));
	h->off_blob = up(h->off_doc + (n + 1) * sizeof(uint64_t));
	h->size = up(h->off_blob + blob);
}

static void
point(struct vindex *ix, const struct header *h, const char *base)
{
	ix->n = h->n;
	ix->dim = (int)h->dim;
	ix->dimp = (int)h->dimp;
	memcpy(ix->model, h->model, sizeof ix->model);
	ix->model[sizeof ix->model - 1] = '\0';
	memcpy(ix->stamp, h->stamp, sizeof ix->stamp);
	ix->stamp[sizeof ix->stamp - 1] = '\0';
	ix->vec = (const float *)(base + h->off_vec);
	ix->code = (const int8_t *)(base + h->off_code);
	ix->scale = (const float *)(base + h->off_scale);
	ix->l1 = (const int32_t *)(base + h->off_l1);
	ix->doc_off = (const uint64_t *)(base + h->off_doc);
	ix->doc_blob = base + h->off_blob;
}

struct vindex *
vindex_build(const float *vecs, size_t n, int dim, const char *const *docs,
    const char *model, const char *stamp)
{
	struct vindex *ix;
	struct header h;
	size_t blob = 0;
	char *base;

	if (dim < 1 || dim > 65536)
		return NULL;
	for (size_t i = 0; docs && i < n; i++)
		blob += docs[i] ? strlen(docs[i]) : 0;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, magic, sizeof magic);
	snprintf(h.model, sizeof h.model, "%s", model ? model : "");
	snprintf(h.stamp, sizeof h.stamp, "%s", stamp ? stamp : "");
	layout(&h, n, dim, blob);
	if (!(ix = calloc(1, sizeof *ix)))
		return NULL;
	ix->fd = -1;
	if (posix_memalign(&ix->own, ALIGN, h.size) != 0) {
		free(ix);
		return NULL;
	}
	base = ix->own;
	memset(base, 0, h.size);
	memcpy(base, &h, sizeof h);
	point(ix, &h, base);

	float *v = (float *)(base + h.off_vec);
	int8_t *c = (int8_t *)(base + h.off_code);
	float *sc = (float *)(base + h.off_scale);
	int32_t *l1 = (int32_t *)(base + h.off_l1);
	uint64_t *off = (uint64_t *)(base + h.off_doc);
	char *b = base + h.off_blob;
	if (n)
		memcpy(v, vecs, n * (size_t)dim * sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const float *x = vecs + i * (size_t)dim;
		float mx = 0;
		for (int j = 0; j < dim; j++)
			if (fabsf(x[j]) > mx)
				mx = fabsf(x[j]);
		/* One scale per vector: the largest component maps to 127. */
		sc[i] = mx > 0 ? mx / 127.0f : 1.0f;
		l1[i] = 0;
		for (int j = 0; j < dim; j++) {
			int8_t q = (int8_t)lrintf(x[j] / sc[i]);
			c[i * (size_t)h.dimp + (size_t)j] = q;
			l1[i] += q < 0 ? -q : q;
		}
	}
	off[0] = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = docs && docs[i] ? strlen(docs[i]) : 0;
		memcpy(b + off[i], l ? docs[i] : "", l);
		off[i + 1] = off[i] + l;
	}
	return ix;
}

int
vindex_save(const struct vindex *ix, const char *path, char *why,
    size_t whylen)
{
	const struct header *h = ix->own ? ix->own : ix->map;
	char tmp[4096];
	const char *p = (const char *)h;
	size_t left = h->size;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	while (left > 0) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}

struct vindex *
vindex_open(const char *path, char *why, size_t whylen)
{
	struct vindex *ix;
	struct header h, want;
	struct stat st;
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || (size_t)st.st_size < sizeof h ||
	    pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h.magic, magic, sizeof magic) != 0) {
		snprintf(why, whylen, "%s: not an inc vector index", path);
		close(fd);
		return NULL;
	}
	/* Trust no offset in the file: recompute the layout and compare. */
	want = h;
	layout(&want, h.n, (int)h.dim, 0);
	if (h.dim < 1 || h.dim > 65536 || want.off_vec != h.off_vec ||
	    want.off_code != h.off_code || want.off_scale != h.off_scale ||
	    want.off_l1 != h.off_l1 ||
	    want.off_doc != h.off_doc || want.off_blob != h.off_blob ||
	    h.size != (uint64_t)st.st_size || h.size < h.off_blob) {
		snprintf(why, whylen, "%s: damaged vector index", path);
		close(fd);
		return NULL;
	}
	map = mmap(NULL, h.size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		snprintf(why, whylen, "%s: mmap: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	if (!(ix = calloc(1, sizeof *ix))) {
		munmap(map, h.size);
		close(fd);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	ix->map = map;
	ix->maplen = h.size;
	/* The float vectors are read with pread, never through the map: a
	 * fault there maps a whole large folio (2 MiB here, readahead or
	 * not), and the few dozen vectors a search re-ranks would make most
	 * of them resident.  Only the codes, which every search reads, are
	 * used from the map. */
	ix->fd = fd;
	ix->off_vec = h.off_vec;
	point(ix, &h, map);
	if (ix->doc_off[h.n] > h.size - h.off_blob) {
		snprintf(why, whylen, "%s: damaged vector index", path);
		vindex_free(ix);
		return NULL;
	}
	return ix;
}

void
vindex_free(struct vindex *ix)
{
	if (!ix)
		return;
	if (ix->map)
		munmap(ix->map, ix->maplen);
	if (ix->map && ix->fd >= 0)
		close(ix->fd);
	free(ix->own);
	free(ix);
}

size_t
vindex_size(const struct vindex *ix)
{
	return ix->n;
}

int
vindex_dim(const struct vindex *ix)
{
	return ix->dim;
}

const char *
vindex_model(const struct vindex *ix)
{
	return ix->model;
}

const char *
vindex_stamp(const struct vindex *ix)
{
	return ix->stamp;
}

/*
 * n float vectors from i on: from memory, or read from the file into buf
 * (room for n x dim).  NULL when the read fails.
 */
static const float *
floats(const struct vindex *ix, size_t i, size_t n, float *buf)
{
	size_t bytes = n * (size_t)ix->dim * sizeof(float);
	char *p = (char *)buf;
	off_t at;

	if (ix->fd < 0 || !ix->map)
		return ix->vec + i * (size_t)ix->dim;
	at = (off_t)(ix->off_vec + i * (size_t)ix->dim * sizeof(float));
	while (bytes > 0) {
		ssize_t r = pread(ix->fd, p, bytes, at);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL;
		p += r;
		at += r;
		bytes -= (size_t)r;
	}
	return buf;
}

const float *
vindex_vector(const struct vindex *ix, size_t i)
{
	return ix->vec + i * (size_t)ix->dim;
}

const char *
vindex_doc(const struct vindex *ix, size_t i, size_t *len)
{
	uint64_t a = ix->doc_off[i], b = ix->doc_off[i + 1];

	*len = b >= a ? (size_t)(b - a) : 0;
	return ix->doc_blob + a;
}

/* Scoring kernels, with AVX2 where the processor has it. */

static float
dot_f32_plain(const float *a, const float *b, int n)
{
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int i = 0;

	for (; i + 4 <= n; i += 4) {
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < n; i++)
		s0 += a[i] * b[i];
	return (s0 + s1) + (s2 + s3);
}

static int32_t
dot_i8_plain(const int8_t *a, const int8_t *b, int n)
{
	int32_t s = 0;

	for (int i = 0; i < n; i++)
		s += (int32_t)a[i] * b[i];
	return s;
}

#ifdef HAVE_X86
__attribute__((target("avx2,fma"))) static float
dot_f32_avx2(const float *a, const float *b, int n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	int i = 0;

	for (; i + 16 <= n; i += 16) {
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i),
		    _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8),
		    _mm256_loadu_ps(b + i + 8), s1);
	}
	s0 = _mm256_add_ps(s0, s1);
	__m128 h = _mm_add_ps(_mm256_castps256_ps128(s0),
	    _mm256_extractf128_ps(s0, 1));
	h = _mm_add_ps(h, _mm_movehl_ps(h, h));
	h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
	float s = _mm_cvtss_f32(h);
	for (; i < n; i++)
		s += a[i] * b[i];
	return s;
}

/*
 * int8 x int8 with maddubs, which wants one unsigned operand: |a| times
 * b carrying a's sign.  The codes stay within +-127, so no pair of
 * products overflows 16 bits.
 */
__attribute__((target("avx2"))) static int32_t
dot_i8_avx2(const int8_t *a, const int8_t *b, int n)
{
	const __m256i ones = _mm256_set1_epi16(1);
	__m256i acc = _mm256_setzero_si256();

	for (int i = 0; i < n; i += 32) {
		__m256i x = _mm256_load_si256((const __m256i *)(a + i));
		__m256i y = _mm256_loadu_si256((const __m256i *)(b + i));
		__m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(x, x),
		    _mm256_sign_epi8(y, x));
		acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, ones));
	}
	__m128i h = _mm_add_epi32(_mm256_castsi256_si128(acc),
	    _mm256_extracti128_si256(acc, 1));
	h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4E));
	h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xB1));
	return _mm_cvtsi128_si32(h);
}
#endif

static float (*dot_f32)(const float *, const float *, int) = dot_f32_plain;
static int32_t (*dot_i8)(const int8_t *, const int8_t *, int) =
    dot_i8_plain;

static void
pick_kernels(void)
{
	static int done;

	if (done)
		return;
	done = 1;
#ifdef HAVE_X86
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
		dot_f32 = dot_f32_avx2;
		dot_i8 = dot_i8_avx2;
	}
#endif
}

/*
 * A min-heap of candidates by approximate score: the best m seen so far,
 * worst on top.  Each also carries the most its exact score can be (its
 * approximate score plus the quantisation error bound), and the heap
 * remembers the largest such bound among the vectors it turned away: if
 * the exact k-th best beats that, no vector left out could have made the
 * top k, and the answer is exact.
 */
struct cand {
	uint32_t i;
	float score;	/* approximate, then exact after re-ranking */
	float most;	/* the bound on the exact score */
};

struct heap {
	struct cand *h;
	int n, m;
	float left_out;	/* the largest bound turned away */
};

static void
heap_push(struct heap *hp, uint32_t i, float score, float most)
{
	struct cand *h = hp->h;
	int c, p;

	if (hp->n < hp->m) {
		c = hp->n++;
		while (c > 0 && h[p = (c - 1) / 2].score > score) {
			h[c] = h[p];
			c = p;
		}
		h[c] = (struct cand){ i, score, most };
		return;
	}
	if (score <= h[0].score) {
		if (most > hp->left_out)
			hp->left_out = most;
		return;
	}
	if (h[0].most > hp->left_out)
		hp->left_out = h[0].most;
	/* Replace the worst and sift down. */
	c = 0;
	for (;;) {
		int l = 2 * c + 1, r = l + 1, s = c;
		float best = score;
		if (l < hp->n && h[l].score < best) {
			s = l;
			best = h[l].score;
		}
		if (r < hp->n && h[r].score < best)
			s = r;
		if (s == c)
			break;
		h[c] = h[s];
		c = s;
	}
	h[c] = (struct cand){ i, score, most };
}

static int
by_score(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* How many candidates the int8 pass keeps for a top k. */
static int
pool(const struct vindex *ix, int k)
{
	size_t c = (size_t)k + 64;

	if (c < (size_t)k * 2)
		c = (size_t)k * 2;
	return c > ix->n ? (int)ix->n : (int)c;
}

/* Quantise a query like the index's vectors: scale and sum of |code|. */
static void
quantise(const struct vindex *ix, const float *q, int8_t *q8, float *qs,
    int32_t *ql1)
{
	float mx = 0;

	for (int j = 0; j < ix->dim; j++)
		if (fabsf(q[j]) > mx)
			mx = fabsf(q[j]);
	*qs = mx > 0 ? mx / 127.0f : 1.0f;
	*ql1 = 0;
	memset(q8, 0, (size_t)ix->dimp);
	for (int j = 0; j < ix->dim; j++) {
		q8[j] = (int8_t)lrintf(q[j] / *qs);
		*ql1 += q8[j] < 0 ? -q8[j] : q8[j];
	}
}

/*
 * The largest gap between the exact and the int8 score of vector i: with
 * v = sv (c + e), q = sq (d + f), |e|, |f| <= 1/2, the error is
 * sv sq sum(c f + e d + e f) <= sv sq (|c|_1 / 2 + |d|_1 / 2 + dim / 4).
 * A little more covers float rounding.
 */
static inline float
error_bound(const struct vindex *ix, size_t i, float qs, int32_t ql1)
{
	return ix->scale[i] * qs * ((float)(ix->l1[i] + ql1) * 0.5f +
	    (float)ix->dim * 0.25f) * 1.001f + 1e-6f;
}

/* The exact top k, or -1 on ENOMEM: the reference. */
static int
exact(const struct vindex *ix, const float *q, int k, struct cand *out)
{
	struct heap hp = { out, 0, k > (int)ix->n ? (int)ix->n : k, 0 };
	size_t chunk = 1024;
	float *buf = malloc(chunk * (size_t)ix->dim * sizeof *buf);

	if (!buf)
		return -1;
	for (size_t b = 0; b < ix->n; b += chunk) {
		size_t n = b + chunk < ix->n ? chunk : ix->n - b;
		const float *v = floats(ix, b, n, buf);
		for (size_t i = 0; v && i < n; i++) {
			float s = dot_f32(q, v + i * (size_t)ix->dim,
			    ix->dim);
			heap_push(&hp, (uint32_t)(b + i), s, s);
		}
	}
	free(buf);
	qsort(hp.h, (size_t)hp.n, sizeof *hp.h, by_score);
	return hp.n;
}

/* Re-rank a candidate pool exactly; the best k go to out. */
static int
rerank(const struct vindex *ix, const float *q, struct heap *hp, int k,
    struct vindex_hit *out)
{
	float *buf = malloc((size_t)ix->dim * sizeof *buf);

	for (int c = 0; c < hp->n; c++) {
		const float *v = buf ? floats(ix, hp->h[c].i, 1, buf) : NULL;
		/* A vector that cannot be read keeps its int8 score. */
		if (v)
			hp->h[c].score = dot_f32(q, v, ix->dim);
	}
	free(buf);
	qsort(hp->h, (size_t)hp->n, sizeof *hp->h, by_score);
	if (k > hp->n)
		k = hp->n;
	/* Could a vector the int8 pass left out beat the k-th?  Then
	 * (rarely: near-duplicates closer than the int8 error) every
	 * vector is scored exactly. */
	if (hp->n < (int)ix->n && hp->h[k - 1].score < hp->left_out) {
		int e = exact(ix, q, k, hp->h);
		if (e >= 0)
			k = e;
	}
	for (int c = 0; c < k; c++)
		out[c] = (struct vindex_hit){ hp->h[c].i, hp->h[c].score };
	return k;
}

int
vindex_search_batch(const struct vindex *ix, const float *q, int nq, int k,
    struct vindex_hit *out)
{
	int m = pool(ix, k), found = 0;
	int8_t *q8;
	float *qs;
	int32_t *ql1;
	struct heap *hp;
	struct cand *space;

	pick_kernels();
	if (k <= 0 || nq <= 0 || ix->n == 0)
		return 0;
	if (posix_memalign((void **)&q8, ALIGN, (size_t)nq * (size_t)ix->dimp))
		q8 = NULL;
	qs = malloc((size_t)nq * sizeof *qs);
	ql1 = malloc((size_t)nq * sizeof *ql1);
	hp = malloc((size_t)nq * sizeof *hp);
	/* Room for k exact hits too, in case a query falls back. */
	if (m < k)
		m = k;
	space = malloc((size_t)nq * (size_t)(m > k ? m : k) * sizeof *space);
	if (!q8 || !qs || !ql1 || !hp || !space) {
		free(q8);
		free(qs);
		free(ql1);
		free(hp);
		free(space);
		return -1;
	}
	for (int t = 0; t < nq; t++) {
		quantise(ix, q + (size_t)t * (size_t)ix->dim,
		    q8 + (size_t)t * (size_t)ix->dimp, &qs[t], &ql1[t]);
		hp[t] = (struct heap){ space + (size_t)t * (size_t)m, 0, m,
		    -INFINITY };
	}
	/* A block of codes stays in cache while every query scans it. */
	for (size_t b = 0; b < ix->n; b += BLOCK) {
		size_t e = b + BLOCK < ix->n ? b + BLOCK : ix->n;
		for (int t = 0; t < nq; t++) {
			const int8_t *qq = q8 + (size_t)t * (size_t)ix->dimp;
			for (size_t i = b; i < e; i++) {
				int32_t d = dot_i8(ix->code + i *
				    (size_t)ix->dimp, qq, ix->dimp);
				float s = (float)d * ix->scale[i] * qs[t];
				heap_push(&hp[t], (uint32_t)i, s, s +
				    error_bound(ix, i, qs[t], ql1[t]));
			}
		}
	}
	for (int t = 0; t < nq; t++)
		found = rerank(ix, q + (size_t)t * (size_t)ix->dim, &hp[t], k,
		    out + (size_t)t * (size_t)k);
	free(q8);
	free(qs);
	free(ql1);
	free(hp);
	free(space);
	return found;
}

int
vindex_search(const struct vindex *ix, const float *q, int k,
    struct vindex_hit *out)
{
	return vindex_search_batch(ix, q, 1, k, out);
}

int
vindex_search_exact(const struct vindex *ix, const float *q, int k,
    struct vindex_hit *out)
{
	struct cand *c;
	int found;

	pick_kernels();
	if (k <= 0 || ix->n == 0)
		return 0;
	if (!(c = malloc((size_t)k * sizeof *c)))
		return -1;
	found = exact(ix, q, k, c);
	for (int i = 0; i < found; i++)
		out[i] = (struct vindex_hit){ c[i].i, c[i].score };
	free(c);
	return found;
}
