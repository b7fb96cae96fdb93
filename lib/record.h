/*
 * record: JSON lines in and out, the contract between the commands
 * (DESIGN §2 and §3).
 *
 * A reader returns whole lines of any length up to a limit (INC_MAX_LINE);
 * a longer line is skipped, its bytes copied to the reject file when there
 * is one, and reported as malformed.  Before a read would block, the reader
 * calls a flush hook (flush stdout, commit a transaction): bulk input runs
 * at full speed, and an interactive `echo … |` gets its answer at once.
 *
 * record_stream_run() is the loop most stages need: read, parse, call the
 * stage's function on each object, append-only errors[], write, count, and
 * map the outcome to an exit status.  Stages never touch the keys they do
 * not own, so users' own fields pass through every stage.
 */
#ifndef INC_RECORD_H
#define INC_RECORD_H

#include <stdio.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

#define RECORD_MAX_LINE_DEFAULT (1024 * 1024)

struct record_reader;
struct record_stream;

/* The line limit from INC_MAX_LINE (default 1 MiB); -1 with err if bad. */
int record_max_line(size_t *out, char *err, size_t errlen);

/*
 * Whether stages may take their bulk path (jscan instead of jansson):
 * yes unless INC_BULK_PATH=0, which exists to compare the two.
 */
int record_bulk_path(void);

/*
 * What every stage does before its first record: read the configuration
 * files, let them set the log format, and read the line limit into
 * s->max_line.  0, or -1 with the reason (a configuration error).
 */
int record_stage_init(struct record_stream *s, char *err, size_t errlen);

/* A reader over fd; lines longer than max are rejected.  NULL on ENOMEM. */
struct record_reader *record_reader_new(int fd, size_t max);
void record_reader_free(struct record_reader *r);

/* Call fn(arg) before each read that would block, and at end of input. */
void record_reader_on_flush(struct record_reader *r, void (*fn)(void *),
    void *arg);

/* Copy the bytes of overlong lines here as they are skipped. */
void record_reader_set_reject(struct record_reader *r, FILE *reject);

enum record_line {
	RECORD_EOF = 0,		/* end of input, or a stop was asked for */
	RECORD_LINE = 1,	/* *line holds a line, NUL-terminated */
	RECORD_TOOLONG = 2,	/* a line over the limit was skipped */
	RECORD_IOERR = -1,	/* read failed; errno is set */
};

/*
 * Read the next line, without its LF (a final line without LF counts).
 * *line stays valid until the next call.  A read interrupted by SIGTERM
 * or SIGINT ends the input (RECORD_EOF).
 */
enum record_line record_read_line(struct record_reader *r, char **line,
    size_t *len);

/*
 * Look at the input without consuming it: read until the buffer holds a
 * complete non-blank line, or the line limit, or the end of input.
 * Returns the number of bytes in *buf (0: empty input), -1 on error.
 * Lets a reader of many formats decide what it reads before it reads.
 */
ssize_t record_reader_peek(struct record_reader *r, const char **buf);

/*
 * As record_reader_peek(), but read on until a blank line (the end of a
 * mail header block), the limit, or the end of input.
 */
ssize_t record_reader_peek_block(struct record_reader *r, const char **buf);

/*
 * Read all the unread input, up to max bytes (-1 with errno EFBIG past
 * that).  *buf is NUL-terminated and valid until the next call.
 */
int record_reader_slurp(struct record_reader *r, size_t max, char **buf,
    size_t *len);

/* Number of the line last returned, from 1. */
unsigned long record_reader_lineno(const struct record_reader *r);

/*
 * The checks a line passes before it is parsed: no NUL bytes, valid UTF-8.
 * 0, or -1 with the reason in why.
 */
int record_check_text(const char *line, size_t len, char *why,
    size_t whylen);

/*
 * Parse one line into a JSON value.  Checks, in order: NUL bytes, UTF-8,
 * JSON syntax.  Returns the value (new reference), or NULL with a short
 * reason in why ("invalid UTF-8 at byte 17").
 */
json_t *record_parse_value(const char *line, size_t len, char *why,
    size_t whylen);

/* As record_parse_value(), and the value must be an object. */
json_t *record_parse(const char *line, size_t len, char *why, size_t whylen);

/*
 * Write rec as one compact line.  Returns 0, or -1 with errno (EPIPE when
 * the reader went away).
 */
int record_write(FILE *out, const json_t *rec);

/* Append {stage, error, at} to rec's errors[] (creating it). */
void record_add_error(json_t *rec, const char *stage, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Number of entries in rec's errors[]. */
size_t record_error_count(const json_t *rec);

/* rec[key] when it is a string, else NULL. */
const char *record_str(const json_t *rec, const char *key);

/* What a stage's function returns for each record. */
enum record_fate {
	RECORD_PASS = 0,	/* write it on */
	RECORD_TAKEN = 1,	/* the stage took its own reference and will
				   write it with record_stream_emit() */
	RECORD_FATAL = -1,	/* stop: I/O error the stage already reported */
};

struct record_stream {
	const char *stage;	/* "inc-store": names errors[] entries */
	FILE *out;
	FILE *reject;		/* --reject FILE, or NULL */
	size_t max_line;
	int strict;		/* --strict: exit 1 when a record failed */
	void (*flush)(void *arg); /* before blocking, and at the end; out
				     is flushed right after it */
	void *flush_arg;
	/* Optional bulk path: offered each line that passed
	 * record_check_text(), before it is parsed.  It returns 1 when it
	 * dealt with the line (wrote it, counted a failure), 0 to have the
	 * line parsed and given to fn as usual. */
	int (*fast)(const char *line, size_t len, void *arg);

	unsigned long n_in, n_malformed, n_failed;
};

/*
 * Run fn over the objects read from fd.  A malformed line is reported as
 * "PROG: line N: reason", copied to the reject file and not passed on.  A
 * record whose errors[] grew counts as failed.  Returns the exit status of
 * DESIGN §3: 0, 1 (--strict and a record failed), 65 (malformed input),
 * 74 (I/O error).
 */
int record_stream_run(struct record_stream *s, int fd,
    enum record_fate (*fn)(json_t *rec, void *arg), void *arg);

/* Write rec and count write failures; for stages that took a record. */
int record_stream_emit(struct record_stream *s, json_t *rec);

/* The same for a line the stage built itself (with its LF). */
int record_stream_write(struct record_stream *s, const char *line,
    size_t len);

#endif
