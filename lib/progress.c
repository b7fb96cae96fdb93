/* progress: a rate-limited progress line on stderr. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int on, drawn;
static struct timespec last;

void
progress_init(enum progress_mode mode)
{
	on = mode == PROGRESS_ON || (mode == PROGRESS_AUTO && isatty(2));
}

void
progress_update(unsigned long done, unsigned long rejected)
{
	struct timespec now;

	if (!on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (drawn && (now.tv_sec - last.tv_sec) * 1000 +
	    (now.tv_nsec - last.tv_nsec) / 1000000 < 200)
		return;
	last = now;
	drawn = 1;
	fprintf(stderr, "\r%s: %lu records, %lu rejected\033[K", log_prog(),
	    done, rejected);
}

void
progress_end(void)
{
	if (on && drawn)
		fprintf(stderr, "\r\033[K");
	drawn = 0;
}
