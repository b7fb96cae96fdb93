/*
 * unit.h: the few checks the C unit tests of lib/ need.  A failed check
 * prints where and what, and the test goes on; main returns unit_done(),
 * non-zero when any check failed.
 */
#ifndef INC_UNIT_H
#define INC_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failed, unit_checks;

#define CHECK(cond) do { \
	unit_checks++; \
	if (!(cond)) { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, \
		    #cond); \
	} \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	unit_checks++; \
	if (!g_ || strcmp(g_, w_) != 0) { \
		unit_failed++; \
		fprintf(stderr, "FAIL %s:%d: %s is \"%s\", want \"%s\"\n", \
		    __FILE__, __LINE__, #got, g_ ? g_ : "(null)", w_); \
	} \
} while (0)

static int
unit_done(void)
{
	printf("%d checks, %d failed\n", unit_checks, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif
