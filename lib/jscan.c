/* jscan: validate, compact and index a JSON object line without a DOM. */
#include "jscan.h"
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than this is legal but rare: leave it to jansson (limit 2048). */
#define MAX_DEPTH 256

struct st {
	const char *p, *end;
	char *o;
	int depth;
};

static void
ws(struct st *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' ||
	    *t->p == '\n' || *t->p == '\r'))
		t->p++;
}

static int
hex4(const char *p, unsigned *v)
{
	unsigned x = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (unsigned)(c - 'A' + 10);
		else
			return 0;
	}
	*v = x;
	return 1;
}

/* A string, copied with its quotes and escapes as written. */
static int
string(struct st *t, int *escaped)
{
	const char *p = t->p + 1, *end = t->end;

	*escaped = 0;
	for (;;) {
		const char *run = p;
		while (p < end && *p != '"' && *p != '\\' &&
		    (unsigned char)*p >= 0x20)
			p++;
		if (p >= end || (unsigned char)*p < 0x20)
			return 0;
		if (*p == '"') {
			p++;
			break;
		}
		(void)run;
		/* A backslash escape. */
		*escaped = 1;
		if (p + 1 >= end)
			return 0;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			continue;
		case 'u': {
			unsigned v, lo;
			if (end - p < 6 || !hex4(p + 2, &v) || v == 0)
				return 0;
			if (v >= 0xDC00 && v <= 0xDFFF)
				return 0;	/* lone low surrogate */
			if (v >= 0xD800 && v <= 0xDBFF) {
				if (end - p < 12 || p[6] != '\\' ||
				    p[7] != 'u' || !hex4(p + 8, &lo) ||
				    lo < 0xDC00 || lo > 0xDFFF)
					return 0;
				p += 12;
			} else {
				p += 6;
			}
			continue;
		}
		default:
			return 0;
		}
	}
	memcpy(t->o, t->p, (size_t)(p - t->p));
	t->o += p - t->p;
	t->p = p;
	return 1;
}

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
number(struct st *t)
{
	const char *s = t->p, *p = s, *end = t->end, *int_start;
	int real = 0;
	size_t ndig;

	if (p < end && *p == '-')
		p++;
	int_start = p;
	if (p >= end || !digit(*p))
		return 0;
	if (*p == '0') {
		p++;
		if (p < end && digit(*p))
			return 0;
	} else {
		while (p < end && digit(*p))
			p++;
	}
	ndig = (size_t)(p - int_start);
	if (p < end && *p == '.') {
		real = 1;
		p++;
		if (p >= end || !digit(*p))
			return 0;
		while (p < end && digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !digit(*p))
			return 0;
		while (p < end && digit(*p))
			p++;
	}
	if (real) {
		/* jansson refuses what overflows a double. */
		char buf[64];
		size_t n = (size_t)(p - s);
		double v;
		if (n >= sizeof buf)
			return 0;
		memcpy(buf, s, n);
		buf[n] = '\0';
		errno = 0;
		v = strtod(buf, NULL);
		if (errno == ERANGE && isinf(v))
			return 0;
	} else if (ndig >= 19) {
		/* ... and what overflows a long long. */
		const char *lim = *s == '-' ? "9223372036854775808" :
		    "9223372036854775807";
		if (ndig > 19 || memcmp(int_start, lim, 19) > 0)
			return 0;
	}
	memcpy(t->o, s, (size_t)(p - s));
	t->o += p - s;
	t->p = p;
	return 1;
}

static int value(struct st *t, int *escaped);

static int
literal(struct st *t, const char *word, size_t n)
{
	if ((size_t)(t->end - t->p) < n || memcmp(t->p, word, n) != 0)
		return 0;
	memcpy(t->o, word, n);
	t->o += n;
	t->p += n;
	return 1;
}

static int
array(struct st *t)
{
	int esc;

	*t->o++ = '[';
	t->p++;
	ws(t);
	if (t->p < t->end && *t->p == ']') {
		*t->o++ = ']';
		t->p++;
		return 1;
	}
	for (;;) {
		if (!value(t, &esc))
			return 0;
		ws(t);
		if (t->p >= t->end)
			return 0;
		if (*t->p == ']') {
			*t->o++ = ']';
			t->p++;
			return 1;
		}
		if (*t->p != ',')
			return 0;
		*t->o++ = ',';
		t->p++;
		ws(t);
	}
}

/*
 * An object.  At the top (keys != NULL) each key and its value's span in
 * the output are recorded.
 */
static int
object(struct st *t, struct jscan *keys, const char *obase)
{
	int esc;

	*t->o++ = '{';
	t->p++;
	ws(t);
	if (t->p < t->end && *t->p == '}') {
		*t->o++ = '}';
		t->p++;
		return 1;
	}
	for (;;) {
		struct jscan_key *k = NULL;
		const char *kstart;

		if (t->p >= t->end || *t->p != '"')
			return 0;
		kstart = t->o;
		if (!string(t, &esc))
			return 0;
		if (keys) {
			/* An escaped key could spell a key we look for. */
			if (esc || keys->nkeys == JSCAN_MAX_KEYS)
				return 0;
			k = &keys->keys[keys->nkeys++];
			k->name = kstart + 1;
			k->nlen = (size_t)(t->o - kstart) - 2;
			for (size_t i = 0; i + 1 < keys->nkeys; i++)
				if (keys->keys[i].nlen == k->nlen &&
				    memcmp(keys->keys[i].name, k->name,
				    k->nlen) == 0)
					return 0;	/* duplicate */
		}
		ws(t);
		if (t->p >= t->end || *t->p != ':')
			return 0;
		*t->o++ = ':';
		t->p++;
		ws(t);
		if (k) {
			const char *vstart = t->o;
			if (t->p >= t->end)
				return 0;
			k->type = digit(*t->p) || *t->p == '-' ? '0' : *t->p;
			if (!value(t, &esc))
				return 0;
			k->voff = (size_t)(vstart - obase);
			k->vlen = (size_t)(t->o - vstart);
			k->escaped = (char)esc;
		} else if (!value(t, &esc)) {
			return 0;
		}
		ws(t);
		if (t->p >= t->end)
			return 0;
		if (*t->p == '}') {
			*t->o++ = '}';
			t->p++;
			return 1;
		}
		if (*t->p != ',')
			return 0;
		*t->o++ = ',';
		t->p++;
		ws(t);
	}
}

static int
value(struct st *t, int *escaped)
{
	int ok;

	*escaped = 0;
	if (t->p >= t->end)
		return 0;
	switch (*t->p) {
	case '"':
		return string(t, escaped);
	case '{':
	case '[':
		if (++t->depth > MAX_DEPTH)
			return 0;
		ok = *t->p == '{' ? object(t, NULL, NULL) : array(t);
		t->depth--;
		return ok;
	case 't':
		return literal(t, "true", 4);
	case 'f':
		return literal(t, "false", 5);
	case 'n':
		return literal(t, "null", 4);
	default:
		return number(t);
	}
}

int
jscan_object(struct jscan *s, const char *in, size_t n)
{
	struct st t = { .p = in, .end = in + n, .depth = 1 };

	s->nkeys = 0;
	s->len = 0;
	/* Compacting never grows the text. */
	if (s->cap < n + 1) {
		char *o = realloc(s->out, n + 1);
		if (!o)
			return 0;
		s->out = o;
		s->cap = n + 1;
	}
	t.o = s->out;
	ws(&t);
	if (t.p >= t.end || *t.p != '{')
		return 0;
	if (!object(&t, s, s->out))
		return 0;
	ws(&t);
	if (t.p != t.end)
		return 0;
	s->len = (size_t)(t.o - s->out);
	s->out[s->len] = '\0';
	return 1;
}

const struct jscan_key *
jscan_get(const struct jscan *s, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < s->nkeys; i++)
		if (s->keys[i].nlen == n &&
		    memcmp(s->keys[i].name, name, n) == 0)
			return &s->keys[i];
	return NULL;
}

static unsigned
hexval(const char *p)
{
	unsigned v = 0;

	hex4(p, &v);
	return v;
}

size_t
jscan_unescape(const char *raw, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned cp;
		if (raw[i] != '\\') {
			out[o++] = raw[i];
			continue;
		}
		i++;
		switch (raw[i]) {
		case 'b': out[o++] = '\b'; continue;
		case 'f': out[o++] = '\f'; continue;
		case 'n': out[o++] = '\n'; continue;
		case 'r': out[o++] = '\r'; continue;
		case 't': out[o++] = '\t'; continue;
		case 'u': break;
		default: out[o++] = raw[i]; continue;	/* " \ / */
		}
		/* jscan_object() checked the hex and the surrogate pairs. */
		cp = hexval(raw + i + 1);
		i += 4;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) +
			    (hexval(raw + i + 3) - 0xDC00);
			i += 6;
		}
		if (cp < 0x80) {
			out[o++] = (char)cp;
		} else if (cp < 0x800) {
			out[o++] = (char)(0xC0 | cp >> 6);
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			out[o++] = (char)(0xE0 | cp >> 12);
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | cp >> 18);
			out[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (cp & 0x3F));
		}
	}
	return o;
}

int
jscan_emit(struct json_buf *b, const struct jscan *s,
    const char *const *drop, size_t ndrop, const char *add, size_t addlen)
{
	size_t members = 0;

	if (json_buf_put(b, "{", 1) < 0)
		return -1;
	/* Members in order; each runs from its key's opening quote to the
	 * end of its value. */
	for (size_t i = 0; i < s->nkeys; i++) {
		const struct jscan_key *k = &s->keys[i];
		size_t start = (size_t)(k->name - s->out) - 1;
		size_t end = k->voff + k->vlen;
		int skip = 0;
		for (size_t d = 0; d < ndrop; d++)
			if (strlen(drop[d]) == k->nlen &&
			    memcmp(drop[d], k->name, k->nlen) == 0)
				skip = 1;
		if (skip)
			continue;
		if ((members++ && json_buf_put(b, ",", 1) < 0) ||
		    json_buf_put(b, s->out + start, end - start) < 0)
			return -1;
	}
	if (add && addlen) {
		if ((members && json_buf_put(b, ",", 1) < 0) ||
		    json_buf_put(b, add, addlen) < 0)
			return -1;
	}
	return json_buf_put(b, "}", 1);
}

void
jscan_free(struct jscan *s)
{
	free(s->out);
	s->out = NULL;
	s->cap = s->len = 0;
}
