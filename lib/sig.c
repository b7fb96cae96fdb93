/* sig: stop flag for SIGTERM/SIGINT, default SIGPIPE. */
#include "sig.h"

#include <string.h>

volatile sig_atomic_t sig_stop;

static void
on_stop(int signo)
{
	(void)signo;
	sig_stop = 1;
}

void
sig_setup(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: blocking reads must return */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_DFL);
}
