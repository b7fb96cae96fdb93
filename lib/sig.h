/*
 * sig: the signal behaviour every command shares (DESIGN §3).
 *
 * SIGTERM and SIGINT ask for a clean stop: the handler only sets a flag and
 * is installed without SA_RESTART, so a blocking read returns EINTR and the
 * stream loop finishes the record in hand, flushes and exits 0.  SIGPIPE
 * keeps its default action, so `inc-ingest big | head -1` ends quietly.
 */
#ifndef INC_SIG_H
#define INC_SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_stop;

/* Install the handlers; call once at the start of main. */
void sig_setup(void);

#endif
