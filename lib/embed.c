/* embed: hashed word, word-pair and character n-gram features, idf fitted
 * on the knowledge base, signed hashing into dim dimensions. */
#include "embed.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define IDF_BITS 18
#define IDF_SIZE (1u << IDF_BITS)
#define MAX_WORD 64

/* Weights of the kinds of feature, and their hash salts. */
#define W_WORD 1.0f
#define W_PAIR 1.0f
#define W_GRAM 0.35f

struct feat {
	uint64_t h;
	float kind_w;
	uint32_t count;
	uint32_t gen;
};

struct embed_model {
	int dim;
	float *idf;		/* IDF_SIZE weights, or NULL: all 1 */
	/* The same in a byte each: a quarter of the cache lines, which is
	 * what a text's thousands of random look-ups wait for. */
	uint8_t *idf_q;
	float deq[256];
	uint32_t *df;		/* while fitting */
	uint32_t ndocs;
	char id[EMBED_ID_MAX];
	/* Scratch: the features of one text, cleared by generation. */
	struct feat *tab;
	size_t tabsize, nfeat;
	uint32_t *used;		/* the slots of this text's features */
	uint32_t gen;
	char *lower;
	size_t lowercap;
	float *direct;		/* embedding: n-grams go straight here */
};

static const char *stopwords[] = {
	"a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "can",
	"could", "did", "do", "does", "for", "from", "had", "has", "have",
	"he", "her", "his", "how", "if", "in", "into", "is", "it", "its",
	"may", "might", "more", "most", "no", "not", "of", "on", "only", "or",
	"other", "our", "out", "over", "she", "should", "so", "some", "such",
	"than", "that", "the", "their", "them", "then", "there", "these",
	"they", "this", "those", "through", "to", "too", "very", "was", "we",
	"were", "what", "when", "where", "which", "while", "who", "will",
	"with", "would", "you", "your", NULL
};

static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

#define FNV_BASIS 14695981039346656037ull

/* Each kind of feature hashes from its own start, so a word and an
 * n-gram with the same letters are different features. */
static uint64_t basis_w, basis_b, basis_c;

/* The stop words as a set of hashes: checked once per word of input. */
#define STOP_SLOTS 256
static uint64_t stop_set[STOP_SLOTS];

static void
stop_init(void)
{
	basis_w = fnv(FNV_BASIS, "W", 1);
	basis_b = fnv(FNV_BASIS, "B", 1);
	basis_c = fnv(FNV_BASIS, "C", 1);
	if (stop_set[0] || stop_set[1])
		return;
	for (int i = 0; stopwords[i]; i++) {
		uint64_t h = fnv(FNV_BASIS, stopwords[i], strlen(stopwords[i]));
		size_t j = h & (STOP_SLOTS - 1);
		while (stop_set[j])
			j = (j + 1) & (STOP_SLOTS - 1);
		stop_set[j] = h;
	}
}

static int
is_stopword(const char *w, size_t n)
{
	uint64_t h;
	size_t j;

	if (n > 7)
		return 0;
	h = fnv(FNV_BASIS, w, n);
	for (j = h & (STOP_SLOTS - 1); stop_set[j];
	    j = (j + 1) & (STOP_SLOTS - 1))
		if (stop_set[j] == h)
			return 1;
	return 0;
}

/* Weight of a feature's idf bucket (1 without a fitted model). */
static inline float
idf_of(const struct embed_model *m, uint64_t h)
{
	return m->idf_q ? m->deq[m->idf_q[h & (IDF_SIZE - 1)]] : 1.0f;
}

/* Quantise the idf to bytes over its range. */
static int
quantise(struct embed_model *m)
{
	float lo = m->idf[0], hi = m->idf[0];

	if (!m->idf_q && !(m->idf_q = malloc(IDF_SIZE)))
		return -1;
	for (size_t i = 1; i < IDF_SIZE; i++) {
		if (m->idf[i] < lo)
			lo = m->idf[i];
		if (m->idf[i] > hi)
			hi = m->idf[i];
	}
	float step = hi > lo ? (hi - lo) / 255.0f : 1.0f;
	for (int q = 0; q < 256; q++)
		m->deq[q] = lo + step * (float)q;
	for (size_t i = 0; i < IDF_SIZE; i++)
		m->idf_q[i] = (uint8_t)lrintf((m->idf[i] - lo) / step);
	return 0;
}

static void
set_id(struct embed_model *m)
{
	uint32_t h = 2166136261u;

	if (!m->idf) {
		snprintf(m->id, sizeof m->id, "fh1-d%d-w2-c34-noidf", m->dim);
		return;
	}
	for (size_t i = 0; i < IDF_SIZE * sizeof(float); i++) {
		h ^= ((const unsigned char *)m->idf)[i];
		h *= 16777619u;
	}
	snprintf(m->id, sizeof m->id, "fh1-d%d-w2-c34-idf%08x", m->dim, h);
}

struct embed_model *
embed_model_new(int dim)
{
	struct embed_model *m;

	if (dim < 1 || dim > 4096)
		return NULL;
	if (!(m = calloc(1, sizeof *m)))
		return NULL;
	m->dim = dim;
	m->tabsize = 4096;
	m->tab = calloc(m->tabsize, sizeof *m->tab);
	m->used = malloc(m->tabsize / 2 * sizeof *m->used);
	if (!m->tab || !m->used) {
		free(m->tab);
		free(m->used);
		free(m);
		return NULL;
	}
	stop_init();
	set_id(m);
	return m;
}

void
embed_model_free(struct embed_model *m)
{
	if (!m)
		return;
	free(m->idf);
	free(m->idf_q);
	free(m->df);
	free(m->tab);
	free(m->used);
	free(m->lower);
	free(m);
}

const char *
embed_model_id(const struct embed_model *m)
{
	return m->id;
}

int
embed_model_dim(const struct embed_model *m)
{
	return m->dim;
}

/* Double the feature table, keeping this generation's entries. */
static int
grow(struct embed_model *m)
{
	size_t n = m->tabsize * 2;
	struct feat *t = calloc(n, sizeof *t);
	uint32_t *u = malloc(n / 2 * sizeof *u);

	if (!t || !u) {
		free(t);
		free(u);
		return -1;
	}
	for (size_t i = 0; i < m->nfeat; i++) {
		struct feat *f = &m->tab[m->used[i]];
		size_t j = (size_t)(f->h * 0x9E3779B97F4A7C15ull >> 20) &
		    (n - 1);
		while (t[j].gen == m->gen)
			j = (j + 1) & (n - 1);
		t[j] = *f;
		u[i] = (uint32_t)j;
	}
	free(m->tab);
	free(m->used);
	m->tab = t;
	m->used = u;
	m->tabsize = n;
	return 0;
}

static void
add(struct embed_model *m, uint64_t h, float kind_w)
{
	size_t mask, j;

	if (m->nfeat * 2 >= m->tabsize && grow(m) < 0)
		return;	/* out of memory: the vector loses some detail */
	mask = m->tabsize - 1;
	j = (size_t)(h * 0x9E3779B97F4A7C15ull >> 20) & mask;
	for (;;) {
		struct feat *f = &m->tab[j];
		if (f->gen != m->gen) {
			f->gen = m->gen;
			f->h = h;
			f->kind_w = kind_w;
			f->count = 1;
			m->used[m->nfeat++] = (uint32_t)j;
			return;
		}
		if (f->h == h) {
			f->count++;
			return;
		}
		j = (j + 1) & mask;
	}
}

static int
is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80;
}

static int
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int
all_digits(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] < '0' || w[i] > '9')
			return 0;
	return 1;
}

/* Where a feature lands: a dimension, and a sign. */
static inline void
project(const struct embed_model *m, uint64_t h, float w, float *out)
{
	uint64_t x = h * 0xD6E8FEB86659FD93ull;
	/* (x >> 32) scaled to [0, dim) by a multiply, not a division. */
	uint32_t d = (uint32_t)(((x >> 32) * (uint64_t)m->dim) >> 32);

	out[d] += (x >> 31) & 1 ? -w : w;
}

/*
 * A character n-gram.  When embedding, n-grams count linearly and go
 * straight into the vector: they are most of the features, and counting
 * each one's repeats first costs more than the repeats are worth.  When
 * fitting they are counted once per document like the rest.
 */
static inline void
gram(struct embed_model *m, uint64_t h)
{
	if (!m->direct) {
		add(m, h, W_GRAM);
		return;
	}
	project(m, h, W_GRAM * idf_of(m, h), m->direct);
}

/* The features of one word: itself and its character 3- and 4-grams. */
static void
word_features(struct embed_model *m, const char *w, size_t n)
{
	char b[MAX_WORD + 2];

	add(m, fnv(basis_w, w, n), W_WORD);
	/* A number (a status code, a port) is a word, but its pieces say
	 * nothing. */
	if (n > MAX_WORD || all_digits(w, n))
		return;
	b[0] = '<';
	memcpy(b + 1, w, n);
	b[n + 1] = '>';
	/* An n-gram of 3 or 4 bytes is its own key: roll the bytes into
	 * an integer and mix it with one multiply, rather than hashing
	 * each n-gram byte by byte. */
	uint32_t roll = 0;
	for (size_t i = 0; i < n + 2; i++) {
		roll = roll << 8 | (unsigned char)b[i];
		for (int g = 3; g <= 4; g++) {
			if (i + 1 < (size_t)g)
				continue;
			uint64_t x = (g == 3 ? roll & 0xFFFFFF : roll) |
			    (uint64_t)g << 32;
			x = (x ^ basis_c) * 0x9E3779B97F4A7C15ull;
			gram(m, x ^ x >> 29);
		}
	}
}

/*
 * Collect the features of text into the table.  Words are cut at
 * anything but letters and digits, names also at their camelCase humps.
 */
static void
features(struct embed_model *m, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	const char *prev = NULL;
	size_t prevn = 0;
	char *lw;

	m->gen++;
	if (m->gen == 0) {	/* wrapped: old entries could look current */
		memset(m->tab, 0, m->tabsize * sizeof *m->tab);
		m->gen = 1;
	}
	m->nfeat = 0;
	if (m->lowercap < len + 1) {
		char *nl = realloc(m->lower, len + 1);
		if (!nl)
			return;
		m->lower = nl;
		m->lowercap = len + 1;
	}
	lw = m->lower;
	for (size_t i = 0; i < len; i++)
		lw[i] = is_upper(s[i]) ? (char)(s[i] + 32) : (char)s[i];

	for (size_t i = 0; i < len;) {
		size_t start, end, parts = 0;
		if (!is_word_byte(s[i])) {
			i++;
			continue;
		}
		start = i;
		while (i < len && is_word_byte(s[i]))
			i++;
		end = i;
		/* The parts of a camelCase run: a hump starts at an upper
		 * case letter after a lower one, or at the last capital of
		 * a row that a lower case letter follows (HTTPServer). */
		for (size_t p = start; p < end;) {
			size_t q = p + 1;
			while (q < end && !((is_lower(s[q - 1]) ||
			    (s[q - 1] >= '0' && s[q - 1] <= '9')) &&
			    is_upper(s[q])) && !(is_upper(s[q - 1]) &&
			    is_upper(s[q]) && q + 1 < end &&
			    is_lower(s[q + 1])))
				q++;
			const char *w = lw + p;
			size_t n = q - p;
			p = q;
			parts++;
			if (n < 2 || is_stopword(w, n))
				continue;
			word_features(m, w, n);
			if (prev)
				add(m, fnv(fnv(fnv(basis_b,
				    prev, prevn), " ", 1), w, n), W_PAIR);
			prev = w;
			prevn = n;
		}
		if (parts > 1)	/* the name as a whole matches it exactly */
			add(m, fnv(basis_w, lw + start,
			    end - start), W_WORD);
	}
}

void
embed_fit_add(struct embed_model *m, const char *text, size_t len)
{
	if (!m->df && !(m->df = calloc(IDF_SIZE, sizeof *m->df)))
		return;
	features(m, text, len);
	for (size_t i = 0; i < m->nfeat; i++)
		m->df[m->tab[m->used[i]].h & (IDF_SIZE - 1)]++;
	m->ndocs++;
}

void
embed_fit_done(struct embed_model *m)
{
	if (!m->df)
		return;
	if (!m->idf && !(m->idf = malloc(IDF_SIZE * sizeof *m->idf)))
		return;
	for (size_t i = 0; i < IDF_SIZE; i++)
		m->idf[i] = (float)(log((1.0 + m->ndocs) / (1.0 + m->df[i])) +
		    1.0);
	free(m->df);
	m->df = NULL;
	quantise(m);
	set_id(m);
}

int
embed_text(struct embed_model *m, const char *text, size_t len, float *out)
{
	static float sublinear[64];
	double norm = 0;

	if (sublinear[1] == 0)
		for (int i = 1; i < 64; i++)
			sublinear[i] = (float)(1.0 + log((double)i));
	memset(out, 0, (size_t)m->dim * sizeof *out);
	m->direct = out;
	features(m, text, len);
	m->direct = NULL;
	for (size_t i = 0; i < m->nfeat; i++) {
		const struct feat *f = &m->tab[m->used[i]];
		float tf = f->count < 64 ? sublinear[f->count] :
		    (float)(1.0 + log((double)f->count));
		project(m, f->h, tf * f->kind_w * idf_of(m, f->h), out);
	}
	for (int i = 0; i < m->dim; i++)
		norm += (double)out[i] * out[i];
	if (norm == 0)
		return -1;
	norm = 1.0 / sqrt(norm);
	for (int i = 0; i < m->dim; i++)
		out[i] = (float)(out[i] * norm);
	return 0;
}

int
embed_fields(struct embed_model *m, const char *const *text,
    const size_t *len, int n, float *out)
{
	float *part;
	int used = 0;
	double norm = 0;

	if (n == 1)
		return embed_text(m, text[0], len[0], out);
	if (!(part = malloc((size_t)m->dim * sizeof *part)))
		return -1;
	memset(out, 0, (size_t)m->dim * sizeof *out);
	for (int f = 0; f < n; f++) {
		if (!text[f] || !len[f] ||
		    embed_text(m, text[f], len[f], part) < 0)
			continue;
		for (int i = 0; i < m->dim; i++)
			out[i] += part[i];
		used++;
	}
	free(part);
	for (int i = 0; i < m->dim; i++)
		norm += (double)out[i] * out[i];
	if (!used || norm == 0)
		return -1;
	norm = 1.0 / sqrt(norm);
	for (int i = 0; i < m->dim; i++)
		out[i] = (float)(out[i] * norm);
	return 0;
}

static const char magic[8] = "INCEMB01";

int
embed_model_save(const struct embed_model *m, const char *path, char *why,
    size_t whylen)
{
	char tmp[4096];
	uint32_t hdr[3] = { (uint32_t)m->dim, IDF_SIZE, m->ndocs };
	FILE *f;

	if (!m->idf) {
		snprintf(why, whylen, "model has no idf to save");
		return -1;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	if (!(f = fopen(tmp, "wb"))) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	/* Floats are written in the machine's order: little-endian here and
	 * on every machine the project builds for. */
	if (fwrite(magic, 1, 8, f) != 8 || fwrite(hdr, 4, 3, f) != 3 ||
	    fwrite(m->idf, sizeof(float), IDF_SIZE, f) != IDF_SIZE ||
	    fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

struct embed_model *
embed_model_load(const char *path, char *why, size_t whylen)
{
	char mg[8];
	uint32_t hdr[3];
	struct embed_model *m = NULL;
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fread(mg, 1, 8, f) != 8 || memcmp(mg, magic, 8) != 0 ||
	    fread(hdr, 4, 3, f) != 3 || hdr[1] != IDF_SIZE) {
		snprintf(why, whylen, "%s: not an inc embedding model", path);
		goto fail;
	}
	if (!(m = embed_model_new((int)hdr[0]))) {
		snprintf(why, whylen, "%s: bad dimension %u", path, hdr[0]);
		goto fail;
	}
	m->ndocs = hdr[2];
	if (!(m->idf = malloc(IDF_SIZE * sizeof *m->idf)) ||
	    fread(m->idf, sizeof(float), IDF_SIZE, f) != IDF_SIZE) {
		snprintf(why, whylen, "%s: truncated", path);
		goto fail;
	}
	fclose(f);
	if (quantise(m) < 0) {
		snprintf(why, whylen, "%s: out of memory", path);
		embed_model_free(m);
		return NULL;
	}
	set_id(m);
	return m;
fail:
	embed_model_free(m);
	fclose(f);
	return NULL;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *
embed_b64_encode(const float *v, int dim)
{
	size_t n = (size_t)dim * 4, o = 0;
	const unsigned char *p = (const unsigned char *)v;
	char *s = malloc((n + 2) / 3 * 4 + 1);

	if (!s)
		return NULL;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t x = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
		    p[i + 2];
		s[o++] = b64[x >> 18];
		s[o++] = b64[(x >> 12) & 63];
		s[o++] = b64[(x >> 6) & 63];
		s[o++] = b64[x & 63];
	}
	if (i < n) {
		uint32_t x = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			x |= (uint32_t)p[i + 1] << 8;
		s[o++] = b64[x >> 18];
		s[o++] = b64[(x >> 12) & 63];
		s[o++] = i + 1 < n ? b64[(x >> 6) & 63] : '=';
		s[o++] = '=';
	}
	s[o] = '\0';
	return s;
}

int
embed_b64_decode(const char *s, size_t len, float *out, int dim)
{
	static signed char rev[256];
	unsigned char *p = (unsigned char *)out;
	size_t n = (size_t)dim * 4, o = 0;
	uint32_t x = 0;
	int bits = 0;

	if (rev['A'] == 0) {
		memset(rev, -1, sizeof rev);
		for (int i = 0; i < 64; i++)
			rev[(unsigned char)b64[i]] = (signed char)i;
	}
	for (size_t i = 0; i < len && s[i] != '='; i++) {
		int v = rev[(unsigned char)s[i]];
		if (v < 0)
			return -1;
		x = x << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == n)
				return -1;
			p[o++] = (unsigned char)(x >> bits);
		}
	}
	return o == n ? 0 : -1;
}
