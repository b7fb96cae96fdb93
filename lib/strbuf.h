/*
 * strbuf: a growable NUL-terminated string for building text (signature
 * bases, TwiML, message templates, language-model lines).  A failed
 * append sticks (oom) and makes every later one a no-op, so a builder
 * checks once at the end instead of after each piece.
 */
#ifndef INC_STRBUF_H
#define INC_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;		/* NULL until the first append */
	size_t len, cap;
	int oom;
};

void strbuf_put(struct strbuf *b, const void *s, size_t n);
void strbuf_str(struct strbuf *b, const char *s);
void strbuf_fmt(struct strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The text ("" when nothing was appended); the buffer keeps it. */
const char *strbuf_get(const struct strbuf *b);

void strbuf_free(struct strbuf *b);

#endif
