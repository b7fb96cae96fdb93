/* id: sortable, unique incident ids. */
#include "id.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "rfc3339.h"

static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static void
format_id(int64_t usec, const unsigned char r[4], char *buf, size_t len)
{
	char rnd[5];
	time_t sec = (time_t)(usec / 1000000);
	struct tm tm;

	for (int i = 0; i < 4; i++)
		rnd[i] = b32[r[i] & 31];
	rnd[4] = '\0';
	gmtime_r(&sec, &tm);
	snprintf(buf, len, "INC-%04d%02d%02d-%02d%02d%02d-%06ld-%s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(usec % 1000000), rnd);
}

void
id_new(char *buf, size_t len)
{
	static int64_t last;
	int64_t now = rfc3339_usec_now(), prev;
	unsigned char r[4];

	/* Two ids made in one microsecond must still sort in order, and
	 * two threads (inc-httpd's event loop and a worker) must not take
	 * the same one. */
	prev = __atomic_load_n(&last, __ATOMIC_RELAXED);
	do {
		if (now <= prev)
			now = prev + 1;
	} while (!__atomic_compare_exchange_n(&last, &prev, now, 0,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	if (getrandom(r, sizeof r, GRND_NONBLOCK) != sizeof r) {
		uint64_t x = (uint64_t)now * 0x9E3779B97F4A7C15ull;
		memcpy(r, &x, sizeof r);
	}
	format_id(now, r, buf, len);
}

void
id_at(int64_t usec, const char *name, char *buf, size_t len)
{
	uint32_t h = 2166136261u;	/* FNV-1a */
	unsigned char r[4];

	for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
		h ^= *c;
		h *= 16777619u;
	}
	for (int i = 0; i < 4; i++)
		r[i] = (unsigned char)(h >> (5 * i));
	format_id(usec < 0 ? 0 : usec, r, buf, len);
}

int
id_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++) {
		unsigned char c = (unsigned char)s[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == ':' || c == '-'))
			return 0;
	}
	return n >= 1 && n <= ID_MAX;
}
