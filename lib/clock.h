/*
 * clock: the monotonic clock, for timing and deadlines (never the time of
 * day, which may jump).
 */
#ifndef INC_CLOCK_H
#define INC_CLOCK_H

#include <stdint.h>

/* Milliseconds and microseconds since an arbitrary point. */
int64_t clock_ms(void);
int64_t clock_us(void);

#endif
