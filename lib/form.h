/*
 * form: application/x-www-form-urlencoded bodies, as Slack's interactive
 * requests (payload=<JSON>) and Twilio's webhooks arrive (WHATWG URL
 * Standard, "application/x-www-form-urlencoded parsing").
 *
 * Fields are name=value pairs joined by '&'; '+' stands for a space and
 * %XX for a byte.  The raw body is left alone: signatures are computed
 * over the bytes as sent, before any of this decoding.
 */
#ifndef INC_FORM_H
#define INC_FORM_H

#include <stddef.h>

/*
 * Decode len bytes of one name or value into a new NUL-terminated string.
 * NULL with errno: EINVAL for a '%' not followed by two hex digits or a
 * decoded NUL byte, ENOMEM.
 */
char *form_decode(const char *s, size_t len);

/*
 * The decoded value of the first field called name in body (len bytes),
 * a new string; NULL with errno ENOENT when there is none, or as
 * form_decode().
 */
char *form_value(const char *body, size_t len, const char *name);

#endif
