/* json: compact JSON with shortest round-trip reals. */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
grow(struct json_buf *b, size_t more)
{
	size_t cap;
	char *d;

	if (b->len + more <= b->cap)
		return 0;
	cap = b->cap ? b->cap * 2 : 4096;
	while (cap < b->len + more)
		cap *= 2;
	if (!(d = realloc(b->data, cap))) {
		errno = ENOMEM;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

int
json_buf_put(struct json_buf *b, const char *s, size_t n)
{
	if (grow(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	return 0;
}

static int
put_string(struct json_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	/* Worst case every byte becomes \u00XX. */
	if (grow(b, n * 6 + 2) < 0)
		return -1;
	char *o = b->data + b->len;
	*o++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*o++ = (char)c;
			continue;
		}
		*o++ = '\\';
		switch (c) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '\n': *o++ = 'n'; break;
		case '\t': *o++ = 't'; break;
		case '\r': *o++ = 'r'; break;
		case '\b': *o++ = 'b'; break;
		case '\f': *o++ = 'f'; break;
		default:
			*o++ = 'u';
			*o++ = '0';
			*o++ = '0';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	return 0;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v. */
static int
put_real(struct json_buf *b, double v)
{
	char s[40];
	int n = 0;

	if (!isfinite(v)) {
		errno = EINVAL;	/* jansson cannot hold these either */
		return -1;
	}
	for (int prec = 15; prec <= 17; prec++) {
		n = snprintf(s, sizeof s, "%.*g", prec, v);
		if (strtod(s, NULL) == v)
			break;
	}
	/* Keep it a real: "1" would read back as an integer. */
	if (!strpbrk(s, ".eEn"))
		n += snprintf(s + n, sizeof s - (size_t)n, ".0");
	return json_buf_put(b, s, (size_t)n);
}

int
json_write(struct json_buf *b, const json_t *v)
{
	char num[32];
	int n;

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *k;
		json_t *x;
		int first = 1;
		if (json_buf_put(b, "{", 1) < 0)
			return -1;
		json_object_foreach((json_t *)v, k, x) {
			if ((!first && json_buf_put(b, ",", 1) < 0) ||
			    put_string(b, k, strlen(k)) < 0 ||
			    json_buf_put(b, ":", 1) < 0 || json_write(b, x) < 0)
				return -1;
			first = 0;
		}
		return json_buf_put(b, "}", 1);
	}
	case JSON_ARRAY: {
		size_t i;
		json_t *x;
		if (json_buf_put(b, "[", 1) < 0)
			return -1;
		json_array_foreach(v, i, x)
			if ((i && json_buf_put(b, ",", 1) < 0) ||
			    json_write(b, x) < 0)
				return -1;
		return json_buf_put(b, "]", 1);
	}
	case JSON_STRING:
		return put_string(b, json_string_value(v),
		    json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		return json_buf_put(b, num, (size_t)n);
	case JSON_REAL:
		return put_real(b, json_real_value(v));
	case JSON_TRUE:
		return json_buf_put(b, "true", 4);
	case JSON_FALSE:
		return json_buf_put(b, "false", 5);
	case JSON_NULL:
		return json_buf_put(b, "null", 4);
	}
	errno = EINVAL;
	return -1;
}

void
json_buf_free(struct json_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
