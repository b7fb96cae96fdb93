/* lm: trigram language models and their dictionaries, from prose. */
#include "lm.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ID_BOS	0
#define ID_EOS	1
#define ID_UNK	2
#define MAX_IDS	((1u << 21) - 2)	/* three ids fit one 64-bit key */

/* Strings to ids, open addressing; FNV-1a. */
struct strtab {
	char **str;		/* by id */
	uint32_t n, cap;
	uint32_t *slot;		/* id + 1, 0 when empty */
	uint32_t nslot;
};

struct lm_text {
	struct strtab words;
	uint32_t *ids;		/* sentences, each ended by ID_EOS */
	size_t n, cap;
	size_t start;		/* where the current sentence began */
	size_t real;		/* its words other than <unk> */
	size_t sentences, tokens;
	int oom;
};

struct lm_dict {
	struct strtab words;	/* base words */
	uint32_t *first;	/* by word id: first entry */
	uint32_t nfirst;
	char **phones;		/* by entry */
	uint32_t *next;		/* by entry: next alternate, or UINT32_MAX */
	uint32_t nent, cap;
	double *bg;		/* by word id: background probability */
	char *buf[8];		/* the files, phones cut in place */
	int nbuf;
	int have_bg;
};

static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int
strtab_grow(struct strtab *t)
{
	uint32_t n = t->nslot ? t->nslot * 2 : 1024;
	uint32_t *s = calloc(n, sizeof *s);

	if (!s)
		return -1;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t h = (uint32_t)hash(t->str[i], strlen(t->str[i]));
		while (s[h & (n - 1)])
			h++;
		s[h & (n - 1)] = i + 1;
	}
	free(t->slot);
	t->slot = s;
	t->nslot = n;
	return 0;
}

/* The id of s, or UINT32_MAX when absent and !add (or out of memory). */
static uint32_t
strtab_id(struct strtab *t, const char *s, size_t len, int add)
{
	uint32_t h;
	char *copy;

	if (t->nslot) {
		h = (uint32_t)hash(s, len);
		for (;; h++) {
			uint32_t v = t->slot[h & (t->nslot - 1)];
			if (!v)
				break;
			if (strncmp(t->str[v - 1], s, len) == 0 &&
			    t->str[v - 1][len] == '\0')
				return v - 1;
		}
	}
	if (!add || t->n >= MAX_IDS)
		return UINT32_MAX;
	if ((t->n + 1) * 2 > t->nslot && strtab_grow(t) < 0)
		return UINT32_MAX;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 1024;
		char **str = realloc(t->str, cap * sizeof *str);
		if (!str)
			return UINT32_MAX;
		t->str = str;
		t->cap = cap;
	}
	if (!(copy = strndup(s, len)))
		return UINT32_MAX;
	t->str[t->n] = copy;
	h = (uint32_t)hash(s, len);
	while (t->slot[h & (t->nslot - 1)])
		h++;
	t->slot[h & (t->nslot - 1)] = t->n + 1;
	return t->n++;
}

static void
strtab_free(struct strtab *t, int own)
{
	if (own)
		for (uint32_t i = 0; i < t->n; i++)
			free(t->str[i]);
	free(t->str);
	free(t->slot);
}

/* Reading text: a tokenizer calling back with words and sentence ends. */

struct sink {
	void (*word)(void *arg, const char *w, size_t len);
	void (*end)(void *arg);
	void *arg;
};

static const char *const ones[] = { "zero", "one", "two", "three", "four",
	"five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
	"thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
	"nineteen" };
static const char *const tens[] = { "", "", "twenty", "thirty", "forty",
	"fifty", "sixty", "seventy", "eighty", "ninety" };

static void
say(const struct sink *k, const char *w)
{
	k->word(k->arg, w, strlen(w));
}

static void
say_number(const struct sink *k, unsigned long v)
{
	if (v >= 1000) {
		say_number(k, v / 1000);
		say(k, "thousand");
		if (v % 1000)
			say_number(k, v % 1000);
	} else if (v >= 100) {
		say(k, ones[v / 100]);
		say(k, "hundred");
		if (v % 100)
			say_number(k, v % 100);
	} else if (v >= 20) {
		say(k, tens[v / 10]);
		if (v % 10)
			say(k, ones[v % 10]);
	} else {
		say(k, ones[v]);
	}
}

/* A run of digits as people read it: a number up to six digits, else
 * (or with a leading zero, as in "db-01") digit by digit. */
static void
say_digits(const struct sink *k, const char *s, size_t n)
{
	if (n <= 6 && (s[0] != '0' || n == 1)) {
		unsigned long v = 0;
		for (size_t i = 0; i < n; i++)
			v = v * 10 + (unsigned long)(s[i] - '0');
		say_number(k, v);
		return;
	}
	for (size_t i = 0; i < n; i++)
		say(k, ones[s[i] - '0']);
}

static int
starts(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && strncasecmp(s, p, l) == 0;
}

static void
tokenize_line(const struct sink *k, const char *s, size_t n)
{
	size_t i = 0, j;
	char w[64];

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (c == '`') {
			const char *e = memchr(s + i + 1, '`', n - i - 1);
			if (e) {
				/* Code is not speech; <unk> keeps its
				 * neighbours apart. */
				say(k, "<unk>");
				i = (size_t)(e - s) + 1;
				while (i < n && s[i] == '`')
					i++;
				continue;
			}
			i++;
			continue;
		}
		if (starts(s + i, n - i, "http://") ||
		    starts(s + i, n - i, "https://") ||
		    starts(s + i, n - i, "www.")) {
			say(k, "<unk>");
			while (i < n && !isspace((unsigned char)s[i]) &&
			    s[i] != ')' && s[i] != '>')
				i++;
			continue;
		}
		if (isalpha(c)) {
			for (j = i; j < n && (isalpha((unsigned char)s[j]) ||
			    (s[j] == '\'' && j > i && j + 1 < n &&
			    isalpha((unsigned char)s[j + 1]))); j++)
				;
			/* CamelCase is words run together, and said as
			 * such: "CronJob" is "cron job", "ImagePullBackOff"
			 * four words.  An all-capitals tail ("PostgreSQL",
			 * "ChromaDB") stays on its word. */
			for (size_t b = i, m = i + 1; b < j; m++) {
				if (m < j && !(islower((unsigned char)s[m - 1]) &&
				    isupper((unsigned char)s[m]) && m + 1 < j &&
				    islower((unsigned char)s[m + 1])))
					continue;
				if (m - b < sizeof w) {
					for (size_t q = b; q < m; q++)
						w[q - b] = (char)tolower(
						    (unsigned char)s[q]);
					k->word(k->arg, w, m - b);
				} else {
					say(k, "<unk>");
				}
				b = m;
			}
			i = j;
			continue;
		}
		if (isdigit(c)) {
			for (j = i; j < n && isdigit((unsigned char)s[j]); j++)
				;
			say_digits(k, s + i, j - i);
			if (j + 1 < n && s[j] == '.' &&
			    isdigit((unsigned char)s[j + 1])) {
				say(k, "point");
				for (j++; j < n && isdigit((unsigned char)s[j]);
				    j++)
					say(k, ones[s[j] - '0']);
			}
			if (j < n && s[j] == '%') {
				say(k, "percent");
				j++;
			}
			i = j;
			continue;
		}
		if (strchr(".!?;:", c) && (i + 1 == n ||
		    isspace((unsigned char)s[i + 1]) ||
		    strchr("\"')]*_", s[i + 1]))) {
			k->end(k->arg);
			i++;
			continue;
		}
		if (c == '&')
			say(k, "and");
		i++;
	}
}

/* Markdown and plain text, line by line. */
static void
tokenize(const struct sink *k, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int code = 0, front = 0;

	if (starts(text, len, "---\n") || starts(text, len, "---\r\n"))
		front = 1;
	if (front)
		p = memchr(text, '\n', len) + 1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		size_t n;

		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == ' '))
			n--;
		if (front) {
			if (n == 3 && strncmp(p, "---", 3) == 0)
				front = 0;
			else if (starts(p, n, "title:"))
				tokenize_line(k, p + 6, n - 6);
		} else if (starts(p, n, "```") || starts(p, n, "~~~")) {
			code = !code;
		} else if (!code) {
			/* Headings, quotes, list bullets and numbers are
			 * layout, not words. */
			for (;;) {
				size_t m = 0;
				while (m < n && strchr("#>-*+", p[m]))
					m++;
				if (m == 0)
					while (m < n && isdigit(
					    (unsigned char)p[m]))
						m++;
				if (m > 0 && m < n && isdigit(
				    (unsigned char)p[0]) && strchr(".)",
				    p[m]))
					m++;
				else if (m > 0 && isdigit(
				    (unsigned char)p[0]))
					break;
				if (m == 0 || (m < n && p[m] != ' '))
					break;
				while (m < n && p[m] == ' ')
					m++;
				p += m;
				n -= m;
			}
			tokenize_line(k, p, n);
		}
		k->end(k->arg);
		p = nl ? nl + 1 : end;
	}
}

/* lm_text: sentences of ids. */

struct lm_text *
lm_text_new(void)
{
	struct lm_text *t = calloc(1, sizeof *t);

	if (!t)
		return NULL;
	if (strtab_id(&t->words, "<s>", 3, 1) != ID_BOS ||
	    strtab_id(&t->words, "</s>", 4, 1) != ID_EOS ||
	    strtab_id(&t->words, "<unk>", 5, 1) != ID_UNK) {
		lm_text_free(t);
		return NULL;
	}
	return t;
}

void
lm_text_free(struct lm_text *t)
{
	if (!t)
		return;
	strtab_free(&t->words, 1);
	free(t->ids);
	free(t);
}

static void
push(struct lm_text *t, uint32_t id)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		uint32_t *ids = realloc(t->ids, cap * sizeof *ids);
		if (!ids) {
			t->oom = 1;
			return;
		}
		t->ids = ids;
		t->cap = cap;
	}
	t->ids[t->n++] = id;
}

static void
text_word(void *arg, const char *w, size_t len)
{
	struct lm_text *t = arg;
	uint32_t id = strtab_id(&t->words, w, len, 1);

	if (id == UINT32_MAX) {
		t->oom = 1;
		return;
	}
	if (id != ID_UNK)
		t->real++;
	push(t, id);
}

static void
text_end(void *arg)
{
	struct lm_text *t = arg;

	/* An utterance of nothing but code teaches nothing. */
	if (t->real == 0) {
		t->n = t->start;
		return;
	}
	t->tokens += t->n - t->start;
	push(t, ID_EOS);
	t->sentences++;
	t->start = t->n;
	t->real = 0;
}

int
lm_text_add(struct lm_text *t, const char *text, size_t len)
{
	struct sink k = { text_word, text_end, t };

	tokenize(&k, text, len);
	text_end(t);
	return t->oom ? -1 : 0;
}

struct nbuf {
	char *s;
	size_t n, cap;
	int oom, fresh;
};

static void
nb_put(struct nbuf *b, const char *s, size_t len)
{
	if (b->oom)
		return;
	if (b->n + len + 2 > b->cap) {
		size_t cap = (b->n + len + 2) * 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, len);
	b->n += len;
	b->s[b->n] = '\0';
}

static void
norm_word(void *arg, const char *w, size_t len)
{
	struct nbuf *b = arg;

	if (strcmp(w, "<unk>") == 0)
		return;
	if (!b->fresh)
		nb_put(b, " ", 1);
	nb_put(b, w, len);
	b->fresh = 0;
}

static void
norm_end(void *arg)
{
	struct nbuf *b = arg;

	if (!b->fresh)
		nb_put(b, "\n", 1);
	b->fresh = 1;
}

char *
lm_normalize(const char *text, size_t len)
{
	struct nbuf b = { .fresh = 1 };
	struct sink k = { norm_word, norm_end, &b };

	nb_put(&b, "", 0);
	tokenize(&k, text, len);
	norm_end(&b);
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

/* lm_dict */

struct lm_dict *
lm_dict_load(const char *path, char *err, size_t errlen)
{
	struct lm_dict *d = calloc(1, sizeof *d);

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (lm_dict_add(d, path, err, errlen) < 0) {
		lm_dict_free(d);
		return NULL;
	}
	return d;
}

int
lm_dict_add(struct lm_dict *d, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	size_t len = 0;
	uint32_t had = d->nent;
	char *p, *line;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (d->nbuf == (int)(sizeof d->buf / sizeof *d->buf)) {
		snprintf(err, errlen, "%s: too many dictionaries", path);
		goto fail;
	}
	if (getdelim(&d->buf[d->nbuf], &len, '\0', f) < 0) {
		snprintf(err, errlen, "%s: empty", path);
		goto fail;
	}
	for (p = d->buf[d->nbuf++]; p && *p; p = line) {
		char *nl = strchr(p, '\n'), *sp, *paren;
		uint32_t id, before;
		line = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		if (*p == '#' || !(sp = strpbrk(p, " \t")))
			continue;
		*sp++ = '\0';
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if ((paren = strchr(p, '(')) && paren > p)
			*paren = '\0';
		/* A comment after the phones (cmudict's "# place"). */
		if ((paren = strchr(sp, '#')))
			*paren = '\0';
		for (size_t l = strlen(sp); l > 0 && isspace(
		    (unsigned char)sp[l - 1]); l--)
			sp[l - 1] = '\0';
		if (!*sp)
			continue;
		before = d->words.n;
		id = strtab_id(&d->words, p, strlen(p), 1);
		if (id == UINT32_MAX)
			goto oom;
		if (d->nent == d->cap) {
			uint32_t cap = d->cap ? d->cap * 2 : 65536;
			char **ph = realloc(d->phones, cap * sizeof *ph);
			uint32_t *nx;
			if (!ph)
				goto oom;
			d->phones = ph;
			if (!(nx = realloc(d->next, cap * sizeof *nx)))
				goto oom;
			d->next = nx;
			d->cap = cap;
		}
		d->phones[d->nent] = sp;
		d->next[d->nent] = UINT32_MAX;
		if (id == before) {
			if (id >= d->nfirst) {
				uint32_t n = d->nfirst ? d->nfirst * 2 : 65536;
				uint32_t *fi = realloc(d->first, n *
				    sizeof *fi);
				double *bg;
				if (!fi)
					goto oom;
				d->first = fi;
				if (!(bg = realloc(d->bg, n * sizeof *bg)))
					goto oom;
				d->bg = bg;
				d->nfirst = n;
			}
			d->first[id] = d->nent;
			d->bg[id] = 0;
		} else {
			/* An alternate, or the same word in a later file:
			 * at the end of the word's chain. */
			uint32_t e = d->first[id];
			while (d->next[e] != UINT32_MAX)
				e = d->next[e];
			d->next[e] = d->nent;
		}
		d->nent++;
	}
	fclose(f);
	if (d->nent == had) {
		snprintf(err, errlen, "%s: no pronunciations", path);
		return -1;
	}
	return 0;
oom:
	snprintf(err, errlen, "%s: out of memory", path);
fail:
	fclose(f);
	return -1;
}

int
lm_dict_common(struct lm_dict *d, const char *word, double p)
{
	uint32_t id = strtab_id(&d->words, word, strlen(word), 0);

	if (id == UINT32_MAX || !(p > 0))
		return -1;
	d->bg[id] = p;
	d->have_bg = 1;
	return 0;
}

void
lm_dict_free(struct lm_dict *d)
{
	if (!d)
		return;
	/* The words point into their own copies; phones into buf. */
	strtab_free(&d->words, 1);
	free(d->first);
	free(d->bg);
	free(d->phones);
	free(d->next);
	for (int i = 0; i < d->nbuf; i++)
		free(d->buf[i]);
	free(d);
}

/* The first entry of word w, or UINT32_MAX. */
static uint32_t
dict_find(const struct lm_dict *d, const char *w, size_t len)
{
	uint32_t id = strtab_id((struct strtab *)&d->words, w, len, 0);

	return id == UINT32_MAX ? id : d->first[id];
}

/* Building the model. */

struct ngram {
	uint64_t key;		/* ids + 1, 21 bits each; 0: empty slot */
	uint32_t c;		/* times seen */
	uint32_t k;		/* the count its order estimates from: c,
				   or with Kneser-Ney the distinct words
				   seen before it */
	uint32_t succ_c;	/* as a context: the k of what followed */
	uint32_t succ_t;	/* and how many of them were distinct */
	double p, bow;
};

struct ngtab {
	struct ngram *e;
	size_t n, cap;
};

static struct ngram *
ng_get(struct ngtab *t, uint64_t key, int add)
{
	size_t h;

	if (add && (t->n + 1) * 2 > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 4096;
		struct ngram *e = calloc(cap, sizeof *e);
		if (!e)
			return NULL;
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->e[i].key)
				continue;
			h = (size_t)(t->e[i].key * 0x9e3779b97f4a7c15ull);
			while (e[h & (cap - 1)].key)
				h++;
			e[h & (cap - 1)] = t->e[i];
		}
		free(t->e);
		t->e = e;
		t->cap = cap;
	}
	if (!t->cap)
		return NULL;
	for (h = (size_t)(key * 0x9e3779b97f4a7c15ull);; h++) {
		struct ngram *g = &t->e[h & (t->cap - 1)];
		if (g->key == key)
			return g;
		if (!g->key) {
			if (!add)
				return NULL;
			g->key = key;
			t->n++;
			return g;
		}
	}
}

static uint64_t
key1(uint32_t a)
{
	return (uint64_t)a + 1;
}

static uint64_t
key2(uint32_t a, uint32_t b)
{
	return ((uint64_t)a + 1) << 21 | ((uint64_t)b + 1);
}

static uint64_t
key3(uint32_t a, uint32_t b, uint32_t c)
{
	return ((uint64_t)a + 1) << 42 | ((uint64_t)b + 1) << 21 |
	    ((uint64_t)c + 1);
}

static uint32_t
kid(uint64_t key, int i)
{
	return (uint32_t)((key >> (21 * i)) & ((1u << 21) - 1)) - 1;
}

static int
cmp_key(const void *a, const void *b)
{
	uint64_t x = ((const struct ngram *)a)->key;
	uint64_t y = ((const struct ngram *)b)->key;

	return x < y ? -1 : x > y;
}

/* Entries of t in key order (so ids in lexicographic order). */
static struct ngram *
ng_sorted(const struct ngtab *t)
{
	struct ngram *v = malloc((t->n ? t->n : 1) * sizeof *v);
	size_t n = 0;

	if (!v)
		return NULL;
	for (size_t i = 0; i < t->cap; i++)
		if (t->e[i].key)
			v[n++] = t->e[i];
	qsort(v, n, sizeof *v, cmp_key);
	return v;
}

enum origin { O_SPECIAL, O_KNOWN, O_PLURAL, O_DERIVED, O_JOINED,
	O_SPELLED, O_DROPPED };

/*
 * What a dictionary word becomes in our text with an ending or a prefix;
 * phones NULL: the ending sounds as the stem's last sound wants it.
 */
static const struct affix {
	const char *s, *phones;
	int prefix;
} affixes[] = {
	{ "'s", NULL, 0 },		/* the provider's */
	{ "ed", NULL, 0 },		/* versioned, batched */
	{ "d", NULL, 0 },		/* queued */
	{ "ing", "IH NG", 0 },		/* remounting */
	{ "re", "R IY", 1 },		/* recompute, reindex */
	{ "un", "AH N", 1 },		/* unready, unmount */
	{ "de", "D IY", 1 },		/* deregister */
};

static const char *const letter[26] = { "EY", "B IY", "S IY", "D IY",
	"IY", "EH F", "JH IY", "EY CH", "AY", "JH EY", "K EY", "EH L",
	"EH M", "EH N", "OW", "P IY", "K Y UW", "AA R", "EH S", "T IY",
	"Y UW", "V IY", "D AH B AH L Y UW", "EH K S", "W AY", "Z IY" };

/* Whether the len bytes at w are a word of the dictionary that is also
 * common English (any word, when no background was given). */
static int
common(const struct lm_dict *d, const char *w, size_t len)
{
	uint32_t id = strtab_id((struct strtab *)&d->words, w, len, 0);

	return id != UINT32_MAX && (!d->have_bg || d->bg[id] > 0);
}

/*
 * Where word w's pronunciation comes from; *split where a compound's
 * second part or a derived word's stem or ending begins, *affix which
 * ending or prefix.
 */
static enum origin
resolve(const struct lm_dict *d, const char *w, size_t *split, int *affix)
{
	size_t len = strlen(w), i;

	if (dict_find(d, w, len) != UINT32_MAX)
		return O_KNOWN;
	if (len >= 4 && w[len - 1] == 's' && w[len - 2] != 's' &&
	    dict_find(d, w, len - 1) != UINT32_MAX)
		return O_PLURAL;
	/* Endings on any dictionary word of three letters or more ("d" only
	 * after an e); prefixes only on common words of four or more, or
	 * "rest" would be re + st. */
	for (i = 0; i < sizeof affixes / sizeof *affixes; i++) {
		const struct affix *a = &affixes[i];
		size_t al = strlen(a->s);
		if (len < al + (a->prefix ? 4 : 3))
			continue;
		if (a->prefix ? strncmp(w, a->s, al) == 0 &&
		    common(d, w + al, len - al) : strcmp(w + len - al, a->s) ==
		    0 && (a->s[0] != 'd' || w[len - al - 1] == 'e') &&
		    dict_find(d, w, len - al) != UINT32_MAX) {
			*split = a->prefix ? al : len - al;
			*affix = (int)i;
			return O_DERIVED;
		}
	}
	/* The longest first part wins: "failover" is fail + over.  Both
	 * parts must be common words, or "retries" would be ret + ries. */
	for (i = len >= 6 ? len - 3 : 0; i >= 3 && len >= 6; i--)
		if (common(d, w, i) && common(d, w + i, len - i)) {
			*split = i;
			return O_JOINED;
		}
	if (len <= 4) {
		for (i = 0; i < len; i++)
			if (w[i] < 'a' || w[i] > 'z')
				return O_DROPPED;
		return O_SPELLED;
	}
	return O_DROPPED;
}

/* The past ending after a word's last phone. */
static const char *
past(const char *phones)
{
	const char *last = strrchr(phones, ' ');
	static const char *const unvoiced[] = { "P", "K", "F", "TH", "S",
		"SH", "CH" };

	last = last ? last + 1 : phones;
	if (strcmp(last, "T") == 0 || strcmp(last, "D") == 0)
		return "IH D";
	for (size_t i = 0; i < sizeof unvoiced / sizeof *unvoiced; i++)
		if (strcmp(last, unvoiced[i]) == 0)
			return "T";
	return "D";
}

/* The English plural ending after a word's last phone. */
static const char *
plural(const char *phones)
{
	const char *last = strrchr(phones, ' ');
	static const char *const hiss[] = { "S", "Z", "SH", "ZH", "CH", "JH" };
	static const char *const unvoiced[] = { "P", "T", "K", "F", "TH" };

	last = last ? last + 1 : phones;
	for (size_t i = 0; i < sizeof hiss / sizeof *hiss; i++)
		if (strcmp(last, hiss[i]) == 0)
			return "IH Z";
	for (size_t i = 0; i < sizeof unvoiced / sizeof *unvoiced; i++)
		if (strcmp(last, unvoiced[i]) == 0)
			return "S";
	return "Z";
}

static double
lg(double p)
{
	return log10(p);
}

int
lm_build(struct lm_text *t, const struct lm_dict *d,
    enum lm_smoothing smoothing, double bg_weight, FILE *arpa, FILE *dic,
    FILE *oov, struct lm_report *rep, char *err, size_t errlen)
{
	uint32_t nw, *map = NULL, *cnt = NULL;
	unsigned char *orig = NULL;
	size_t *split = NULL;
	int *affix = NULL;
	double *bgp = NULL, Z = 0, D[3];
	int kn = smoothing == LM_KNESER_NEY;
	struct ngtab tab[3] = { { 0 } };
	struct ngram *sorted[3] = { NULL };
	size_t i, V = 0, N = 0, T0 = 0;
	int rc = -1;

	memset(rep, 0, sizeof *rep);
	rep->sentences = t->sentences;
	rep->tokens = t->tokens;
	if (t->sentences == 0) {
		snprintf(err, errlen, "no text to learn from");
		return -1;
	}
	if (!d->have_bg)
		bg_weight = 0;
	/* Common English joins the vocabulary, seen or not. */
	if (bg_weight > 0)
		for (uint32_t w = 0; w < d->words.n; w++)
			if (d->bg[w] > 0 && strtab_id(&t->words,
			    d->words.str[w], strlen(d->words.str[w]), 1) ==
			    UINT32_MAX)
				goto oom;
	nw = t->words.n;
	map = malloc(nw * sizeof *map);
	cnt = calloc(nw, sizeof *cnt);
	orig = malloc(nw);
	split = calloc(nw, sizeof *split);
	affix = calloc(nw, sizeof *affix);
	bgp = calloc(nw, sizeof *bgp);
	if (!map || !cnt || !orig || !split || !affix || !bgp)
		goto oom;
	for (uint32_t w = ID_UNK + 1; bg_weight > 0 && w < nw; w++) {
		uint32_t id = strtab_id((struct strtab *)&d->words,
		    t->words.str[w], strlen(t->words.str[w]), 0);
		if (id != UINT32_MAX)
			Z += bgp[w] = d->bg[id];
	}
	for (i = 0; i < t->n; i++)
		cnt[t->ids[i]]++;
	for (uint32_t w = 0; w < nw; w++) {
		orig[w] = w <= ID_UNK ? O_SPECIAL :
		    resolve(d, t->words.str[w], &split[w], &affix[w]);
		map[w] = orig[w] == O_DROPPED ? ID_UNK : w;
		switch (orig[w]) {
		case O_KNOWN:
			/* Known words the text never says are common ones. */
			if (cnt[w])
				rep->known++;
			else
				rep->background += bgp[w] > 0;
			break;
		case O_PLURAL: rep->plural++; break;
		case O_DERIVED: rep->derived++; break;
		case O_JOINED: rep->joined++; break;
		case O_SPELLED: rep->spelled++; break;
		case O_DROPPED:
			rep->dropped++;
			rep->dropped_tokens += cnt[w];
			break;
		default: break;
		}
	}
	/* Count: each sentence is <s> w1 .. wn </s>. */
	for (i = 0; i < t->n;) {
		uint32_t u = ID_BOS, v = ID_BOS;
		int pos = 0;
		struct ngram *g;
		if (!(g = ng_get(&tab[0], key1(ID_BOS), 1)))
			goto oom;
		for (;; i++) {
			uint32_t w = map[t->ids[i]];
			if (!(g = ng_get(&tab[0], key1(w), 1)))
				goto oom;
			g->c++;
			if (!(g = ng_get(&tab[1], key2(v, w), 1)))
				goto oom;
			g->c++;
			if (pos >= 1) {
				if (!(g = ng_get(&tab[2], key3(u, v, w), 1)))
					goto oom;
				g->c++;
			}
			u = v;
			v = w;
			pos++;
			if (t->ids[i] == ID_EOS)
				break;
		}
		i++;
	}
	/* <unk> is in every model, seen or not: the uniform share of the
	 * unigrams keeps it a probability; so are the common words. */
	if (!ng_get(&tab[0], key1(ID_UNK), 1))
		goto oom;
	for (uint32_t w = ID_UNK + 1; w < nw; w++)
		if (bgp[w] > 0 && !ng_get(&tab[0], key1(w), 1))
			goto oom;
	/* The counts each order learns from.  Kneser-Ney: below the top
	 * order, how many distinct words came before (a word seen often
	 * but only after one other word is a poor guess elsewhere); an
	 * n-gram that starts a sentence has nothing before it and keeps its
	 * own count (Chen & Goodman 1998, §3). */
	for (int o = 0; o < 3; o++)
		for (i = 0; i < tab[o].cap; i++)
			tab[o].e[i].k = kn && o < 2 && !(o == 1 &&
			    kid(tab[o].e[i].key, 1) == ID_BOS) ? 0 :
			    tab[o].e[i].c;
	for (int o = 2; kn && o > 0; o--)
		for (i = 0; i < tab[o].cap; i++) {
			struct ngram *g = &tab[o].e[i], *lo;
			if (!g->key)
				continue;
			lo = ng_get(&tab[o - 1], o == 1 ? key1(kid(g->key, 0)) :
			    key2(kid(g->key, 1), kid(g->key, 0)), 0);
			if (o == 1 || kid(lo->key, 1) != ID_BOS)
				lo->k++;
		}
	/* Contexts: the counts of what followed each, how many distinct. */
	for (int o = 1; o < 3; o++)
		for (i = 0; i < tab[o].cap; i++) {
			struct ngram *g = &tab[o].e[i], *h;
			if (!g->key)
				continue;
			h = ng_get(&tab[o - 1], o == 1 ? key1(kid(g->key, 1)) :
			    key2(kid(g->key, 2), kid(g->key, 1)), 0);
			h->succ_c += g->k;
			h->succ_t++;
		}
	for (int o = 0; o < 3; o++) {
		size_t n1 = 0, n2 = 0;
		for (i = 0; i < tab[o].cap; i++) {
			n1 += tab[o].e[i].key && tab[o].e[i].k == 1;
			n2 += tab[o].e[i].key && tab[o].e[i].k == 2;
		}
		/* Ney, Essen & Kneser's estimate of the best discount. */
		D[o] = n1 && n2 ? (double)n1 / (double)(n1 + 2 * n2) : 0.5;
	}
	for (i = 0; i < tab[0].cap; i++) {
		struct ngram *g = &tab[0].e[i];
		if (!g->key || kid(g->key, 0) == ID_BOS)
			continue;
		V++;
		N += g->k;
		T0 += g->k > 0;
	}
	/* Probabilities, lower orders first. */
	for (i = 0; i < tab[0].cap; i++) {
		struct ngram *g = &tab[0].e[i];
		if (!g->key)
			continue;
		/* Interpolated with the uniform distribution, then mixed
		 * with the common words' own: a report may say what the
		 * knowledge base never did. */
		if (kn)
			g->p = ((g->k > D[0] ? (double)g->k - D[0] : 0) +
			    D[0] * (double)T0 / (double)V) / (double)N;
		else
			g->p = ((double)g->k + (double)T0 / (double)V) /
			    (double)(N + T0);
		if (bg_weight > 0)
			g->p = (1 - bg_weight) * g->p + bg_weight *
			    bgp[kid(g->key, 0)] / Z;
	}
	for (int o = 1; o < 3; o++)
		for (i = 0; i < tab[o].cap; i++) {
			struct ngram *g = &tab[o].e[i], *h, *lo;
			if (!g->key)
				continue;
			h = ng_get(&tab[o - 1], o == 1 ? key1(kid(g->key, 1)) :
			    key2(kid(g->key, 2), kid(g->key, 1)), 0);
			lo = ng_get(&tab[o - 1], o == 1 ? key1(kid(g->key, 0)) :
			    key2(kid(g->key, 1), kid(g->key, 0)), 0);
			if (kn)
				g->p = ((double)g->k - D[o] + D[o] *
				    (double)h->succ_t * lo->p) /
				    (double)h->succ_c;
			else
				g->p = ((double)g->k + (double)h->succ_t *
				    lo->p) / (double)(h->succ_c + h->succ_t);
		}
	/* What each context leaves to the shorter one. */
	for (int o = 0; o < 2; o++)
		for (i = 0; i < tab[o].cap; i++) {
			struct ngram *g = &tab[o].e[i];
			if (!g->key)
				continue;
			g->bow = !g->succ_t ? 1.0 : kn ? D[o + 1] *
			    (double)g->succ_t / (double)g->succ_c :
			    (double)g->succ_t / (double)(g->succ_c +
			    g->succ_t);
		}
	for (int o = 0; o < 3; o++) {
		if (!(sorted[o] = ng_sorted(&tab[o])))
			goto oom;
		rep->ngrams[o] = tab[o].n;
	}
	rep->vocab = tab[0].n;
	fprintf(arpa, "\\data\\\nngram 1=%zu\nngram 2=%zu\nngram 3=%zu\n",
	    tab[0].n, tab[1].n, tab[2].n);
	for (int o = 0; o < 3; o++) {
		fprintf(arpa, "\n\\%d-grams:\n", o + 1);
		for (i = 0; i < tab[o].n; i++) {
			const struct ngram *g = &sorted[o][i];
			if (o == 0 && kid(g->key, 0) == ID_BOS)
				fprintf(arpa, "-99");
			else
				fprintf(arpa, "%.6f", lg(g->p));
			for (int k = o; k >= 0; k--)
				fprintf(arpa, "%c%s", k == o ? '\t' : ' ',
				    t->words.str[kid(g->key, k)]);
			if (o < 2 && g->succ_t)
				fprintf(arpa, "\t%.6f", lg(g->bow));
			fputc('\n', arpa);
		}
	}
	fprintf(arpa, "\n\\end\\\n");
	/* The dictionary: the model's words, in its order. */
	for (i = 0; i < tab[0].n; i++) {
		uint32_t w = kid(sorted[0][i].key, 0), e;
		const char *s = t->words.str[w], *ph;
		int alt = 1;
		switch (orig[w]) {
		case O_KNOWN:
			for (e = dict_find(d, s, strlen(s)); e != UINT32_MAX;
			    e = d->next[e], alt++)
				if (alt == 1)
					fprintf(dic, "%s %s\n", s,
					    d->phones[e]);
				else
					fprintf(dic, "%s(%d) %s\n", s, alt,
					    d->phones[e]);
			break;
		case O_PLURAL:
			ph = d->phones[dict_find(d, s, strlen(s) - 1)];
			fprintf(dic, "%s %s %s\n", s, ph, plural(ph));
			break;
		case O_DERIVED: {
			const struct affix *a = &affixes[affix[w]];
			if (a->prefix) {
				fprintf(dic, "%s %s %s\n", s, a->phones,
				    d->phones[dict_find(d, s + split[w],
				    strlen(s) - split[w])]);
				break;
			}
			ph = d->phones[dict_find(d, s, split[w])];
			fprintf(dic, "%s %s %s\n", s, ph, a->phones ?
			    a->phones : a->s[0] == '\'' ? plural(ph) :
			    past(ph));
			break;
		}
		case O_JOINED:
			fprintf(dic, "%s %s %s\n", s,
			    d->phones[dict_find(d, s, split[w])],
			    d->phones[dict_find(d, s + split[w],
			    strlen(s) - split[w])]);
			break;
		case O_SPELLED:
			fprintf(dic, "%s", s);
			for (const char *c = s; *c; c++)
				fprintf(dic, " %s", letter[*c - 'a']);
			fputc('\n', dic);
			break;
		default:
			break;
		}
	}
	if (oov)
		for (uint32_t w = ID_UNK + 1; w < nw; w++) {
			const char *s = t->words.str[w];
			if (orig[w] == O_PLURAL)
				fprintf(oov, "plural\t%s\t%u\n", s, cnt[w]);
			else if (orig[w] == O_DERIVED)
				fprintf(oov, "derived\t%s\t%u\t%.*s + %s\n",
				    s, cnt[w], (int)split[w], s, s + split[w]);
			else if (orig[w] == O_JOINED)
				fprintf(oov, "joined\t%s\t%u\t%.*s + %s\n", s,
				    cnt[w], (int)split[w], s, s + split[w]);
			else if (orig[w] == O_SPELLED)
				fprintf(oov, "spelled\t%s\t%u\n", s, cnt[w]);
			else if (orig[w] == O_DROPPED)
				fprintf(oov, "dropped\t%s\t%u\n", s, cnt[w]);
		}
	if (ferror(arpa) || ferror(dic) || (oov && ferror(oov))) {
		snprintf(err, errlen, "write failed: %s", strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	for (int o = 0; o < 3; o++) {
		free(tab[o].e);
		free(sorted[o]);
	}
	free(map);
	free(cnt);
	free(orig);
	free(split);
	free(affix);
	free(bgp);
	return rc;
}
