#include "form.h"
#include "hex.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

char *
form_decode(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < len ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < len ? hex_digit(s[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				goto bad;
			c = hi * 16 + lo;
			i += 2;
		}
		/* A NUL would cut the string short of what was sent. */
		if (c == 0)
			goto bad;
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	errno = EINVAL;
	return NULL;
}

char *
form_value(const char *body, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *f_end = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(f_end - p));
		const char *n_end = eq ? eq : f_end;
		char *n = form_decode(p, (size_t)(n_end - p));
		int same;

		if (!n)
			return NULL;
		same = strlen(n) == nl && memcmp(n, name, nl) == 0;
		free(n);
		if (same)
			return eq ? form_decode(eq + 1,
			    (size_t)(f_end - eq - 1)) : form_decode("", 0);
		p = f_end + 1;
	}
	errno = ENOENT;
	return NULL;
}
