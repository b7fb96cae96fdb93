/*
 * jscan: a one-pass check of a JSON object line that builds no values.
 *
 * jansson reads about 30 MB/s: at ~1 KB a record that is the whole budget
 * of a stage that should pass 200k records a second.  Most stages only
 * need to know that a line is valid JSON and where a few top-level keys
 * are, then copy the line on with their own keys added.  jscan does that:
 * it validates (RFC 8259, plus jansson's own limits: no \u0000, no lone
 * surrogates, integers within long long, reals within double), removes
 * insignificant white space, and indexes the top-level keys.
 *
 * Its verdict is one-sided by design: jscan_object() returns 1 only for a
 * line jansson accepts as an object with the same meaning; for anything
 * else (invalid, or merely unusual: a duplicate top-level key, very deep
 * nesting, more keys than it indexes) it returns 0 and the caller takes
 * the jansson path, which also produces the error message.  The tests
 * hold it to that against jansson on generated and mutated input.
 *
 * The input must already be valid UTF-8 without NUL bytes (record_parse's
 * first two checks).
 */
#ifndef INC_JSCAN_H
#define INC_JSCAN_H

#include <stddef.h>

#define JSCAN_MAX_KEYS 64

struct jscan_key {
	const char *name;	/* raw key bytes, in out, not terminated */
	size_t nlen;
	size_t voff, vlen;	/* the value's bytes in out */
	char type;		/* '{' '[' '"' 'n' 't' 'f' or '0' (number) */
	char escaped;		/* a string value with a backslash in it */
};

struct jscan {
	char *out;		/* the compacted object, NUL-terminated */
	size_t len, cap;
	struct jscan_key keys[JSCAN_MAX_KEYS];
	size_t nkeys;
};

/*
 * Check in[0..n) and compact it into s->out (grown as needed; free it
 * with jscan_free).  1: a valid object, keys indexed; 0: take the slow
 * path.
 */
int jscan_object(struct jscan *s, const char *in, size_t n);

/* The indexed top-level key name, or NULL. */
const struct jscan_key *jscan_get(const struct jscan *s, const char *name);

/* The raw content of a string value (between the quotes). */
static inline const char *
jscan_str(const struct jscan *s, const struct jscan_key *k, size_t *len)
{
	*len = k->vlen - 2;
	return s->out + k->voff + 1;
}

/*
 * Decode the raw content of a string value (escapes, \u surrogate pairs)
 * into out, which has room for n bytes (decoding never grows the text).
 * Returns the decoded length; out is not NUL-terminated.
 */
size_t jscan_unescape(const char *raw, size_t n, char *out);

/*
 * Append the scanned object to b without the top-level keys in drop[] and
 * with add (one or more "key":value members, no leading comma; may be
 * NULL) as its last members.  0, or -1 on ENOMEM.
 */
struct json_buf;
int jscan_emit(struct json_buf *b, const struct jscan *s,
    const char *const *drop, size_t ndrop, const char *add, size_t addlen);

void jscan_free(struct jscan *s);

#endif
