/*
 * utf8: validation of UTF-8 text (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF), fast on the ASCII that most records are.
 */
#ifndef INC_UTF8_H
#define INC_UTF8_H

#include <stddef.h>

/*
 * 1 if s[0..n) is valid UTF-8, else 0 with the offset of the first bad
 * byte in *bad (when bad is not NULL).
 */
int utf8_valid(const char *s, size_t n, size_t *bad);

/*
 * The length of the longest prefix of s[0..n) that does not end inside a
 * multi-byte sequence, at most max: where to cut a valid string.
 */
size_t utf8_cut(const char *s, size_t n, size_t max);

#endif
