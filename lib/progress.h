/*
 * progress: the progress line of bulk jobs (DESIGN §3).  Drawn on stderr,
 * rewritten in place at most five times a second, only when stderr is a
 * terminal (or when forced), and erased at the end; nothing goes to
 * stdout.
 */
#ifndef INC_PROGRESS_H
#define INC_PROGRESS_H

enum progress_mode { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

/* Decide once whether to draw (AUTO: stderr is a terminal). */
void progress_init(enum progress_mode mode);

/* Redraw "PROG: N records, M rejected" if the last draw is old enough. */
void progress_update(unsigned long done, unsigned long rejected);

/* Erase the line. */
void progress_end(void);

#endif
