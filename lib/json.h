/*
 * json: writing values the way the record contract wants them.
 *
 * jansson writes every real with 17 significant digits, so a sender's
 * 256.462 comes out as 256.46199999999999: the same double, but not what
 * a person wrote, and DESIGN §2 says keys a stage does not own pass on
 * unchanged.  json_write() writes compact JSON with each real in the
 * shortest form that reads back as the same double, and strings with only
 * the escapes JSON requires.  Object keys keep their insertion order.
 */
#ifndef INC_JSON_H
#define INC_JSON_H

#include <stddef.h>
#include <jansson.h>

struct json_buf {
	char *data;
	size_t len, cap;
};

/*
 * Append v, compact, to b (growing it).  Returns 0, or -1 on ENOMEM.
 * b->data is not NUL-terminated.
 */
int json_write(struct json_buf *b, const json_t *v);

/* Append raw bytes. 0 or -1 (ENOMEM). */
int json_buf_put(struct json_buf *b, const char *s, size_t n);

void json_buf_free(struct json_buf *b);

#endif
