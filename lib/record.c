/* record: JSON-line reading, parsing, writing and the stage loop. */
#include "record.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "log.h"
#include "rfc3339.h"
#include "sig.h"
#include "utf8.h"

struct record_reader {
	int fd;
	size_t max;
	char *buf;
	size_t cap;
	size_t start, end;	/* unread bytes are buf[start..end) */
	int eof;
	unsigned long lineno;
	void (*flush)(void *);
	void *flush_arg;
	FILE *reject;
};

int
record_max_line(size_t *out, char *err, size_t errlen)
{
	long v;

	if (config_long("INC_MAX_LINE", RECORD_MAX_LINE_DEFAULT, 64,
	    1L << 30, &v, err, errlen) < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

int
record_bulk_path(void)
{
	return strcmp(config_get("INC_BULK_PATH", "1"), "0") != 0;
}

int
record_stage_init(struct record_stream *s, char *err, size_t errlen)
{
	if (config_load(err, errlen) < 0)
		return -1;
	log_configure();
	return record_max_line(&s->max_line, err, errlen);
}

struct record_reader *
record_reader_new(int fd, size_t max)
{
	struct record_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->fd = fd;
	r->max = max;
	r->cap = 65536;
	r->buf = malloc(r->cap);
	if (!r->buf) {
		free(r);
		return NULL;
	}
	return r;
}

void
record_reader_free(struct record_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

void
record_reader_on_flush(struct record_reader *r, void (*fn)(void *),
    void *arg)
{
	r->flush = fn;
	r->flush_arg = arg;
}

void
record_reader_set_reject(struct record_reader *r, FILE *reject)
{
	r->reject = reject;
}

unsigned long
record_reader_lineno(const struct record_reader *r)
{
	return r->lineno;
}

/*
 * Fill the buffer with more input.  Returns bytes read, 0 at EOF, -1 on
 * error.  When nothing is waiting, the flush hook runs first: the stage's
 * output must be out before we sleep on input.
 */
static ssize_t
fill(struct record_reader *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap * 2;
		char *nb;
		if (ncap > r->max + 2)
			ncap = r->max + 2;
		if (ncap <= r->cap)
			ncap = r->cap + 1;
		nb = realloc(r->buf, ncap);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap = ncap;
	}
	if (r->flush && poll(&p, 1, 0) == 0)
		r->flush(r->flush_arg);
	for (;;) {
		if (sig_stop)
			return 0;
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n >= 0)
			break;
		if (errno != EINTR)
			return -1;
	}
	r->end += (size_t)n;
	return n;
}

/* Skip the rest of an overlong line, copying it to the reject file. */
static int
skip_line(struct record_reader *r)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t upto = nl ? (size_t)(nl - r->buf) : r->end;
		if (r->reject)
			fwrite(r->buf + r->start, 1, upto - r->start,
			    r->reject);
		if (nl) {
			if (r->reject)
				fputc('\n', r->reject);
			r->start = upto + 1;
			return 0;
		}
		r->start = r->end = 0;
		ssize_t n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0) {
			r->eof = 1;
			if (r->reject)
				fputc('\n', r->reject);
			return 0;
		}
	}
}

enum record_line
record_read_line(struct record_reader *r, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		char *p = r->buf + r->start + scanned;
		char *nl = memchr(p, '\n', r->end - r->start - scanned);
		if (nl) {
			size_t n = (size_t)(nl - (r->buf + r->start));
			if (n > r->max)
				goto toolong;
			*nl = '\0';
			*line = r->buf + r->start;
			*len = n;
			r->start += n + 1;
			r->lineno++;
			return RECORD_LINE;
		}
		scanned = r->end - r->start;
		if (scanned > r->max)
			goto toolong;
		if (r->eof || sig_stop) {
			if (scanned == 0 || sig_stop)
				return RECORD_EOF;
			/* A last line without LF: terminate it in place. */
			if (r->end == r->cap) {
				char *nb = realloc(r->buf, r->cap + 1);
				if (!nb)
					return RECORD_IOERR;
				r->buf = nb;
				r->cap++;
			}
			r->buf[r->end] = '\0';
			*line = r->buf + r->start;
			*len = scanned;
			r->start = r->end;
			r->lineno++;
			return RECORD_LINE;
		}
		ssize_t n = fill(r);
		if (n < 0)
			return RECORD_IOERR;
		if (n == 0) {
			r->eof = 1;
			if (r->flush)
				r->flush(r->flush_arg);
		}
	}
toolong:
	r->lineno++;
	if (skip_line(r) < 0)
		return RECORD_IOERR;
	return RECORD_TOOLONG;
}

/* A complete line with something other than blanks in it? */
static int
has_full_line(const char *p, size_t n)
{
	int ink = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			if (ink)
				return 1;
		} else if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r') {
			ink = 1;
		}
	}
	return 0;
}

ssize_t
record_reader_peek(struct record_reader *r, const char **buf)
{
	while (!r->eof && !sig_stop &&
	    !has_full_line(r->buf + r->start, r->end - r->start) &&
	    r->end - r->start <= r->max) {
		ssize_t n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = 1;
	}
	*buf = r->buf + r->start;
	return (ssize_t)(r->end - r->start);
}

/* Is there a blank line (LF, optional CR, LF) in p[0..n)? */
static int
has_blank_line(const char *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (p[i] == '\n' && (p[i + 1] == '\n' || (p[i + 1] == '\r' &&
		    i + 2 < n && p[i + 2] == '\n')))
			return 1;
	return 0;
}

ssize_t
record_reader_peek_block(struct record_reader *r, const char **buf)
{
	while (!r->eof && !sig_stop &&
	    !has_blank_line(r->buf + r->start, r->end - r->start) &&
	    r->end - r->start <= r->max) {
		ssize_t n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0)
			r->eof = 1;
	}
	*buf = r->buf + r->start;
	return (ssize_t)(r->end - r->start);
}

int
record_reader_slurp(struct record_reader *r, size_t max, char **buf,
    size_t *len)
{
	size_t keep = r->max;

	/* Let the buffer grow to the document limit, not the line limit. */
	r->max = max;
	while (!r->eof && !sig_stop) {
		if (r->end - r->start > max) {
			r->max = keep;
			errno = EFBIG;
			return -1;
		}
		ssize_t n = fill(r);
		if (n < 0) {
			r->max = keep;
			return -1;
		}
		if (n == 0)
			r->eof = 1;
	}
	r->max = keep;
	if (r->end - r->start > max) {
		errno = EFBIG;
		return -1;
	}
	if (r->end == r->cap) {
		char *nb = realloc(r->buf, r->cap + 1);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap++;
	}
	r->buf[r->end] = '\0';
	*buf = r->buf + r->start;
	*len = r->end - r->start;
	r->start = r->end;
	return 0;
}

int
record_check_text(const char *line, size_t len, char *why, size_t whylen)
{
	const char *nul = memchr(line, '\0', len);
	size_t bad;

	if (nul) {
		snprintf(why, whylen, "NUL byte at byte %zu",
		    (size_t)(nul - line) + 1);
		return -1;
	}
	if (!utf8_valid(line, len, &bad)) {
		snprintf(why, whylen, "invalid UTF-8 at byte %zu", bad + 1);
		return -1;
	}
	return 0;
}

json_t *
record_parse_value(const char *line, size_t len, char *why, size_t whylen)
{
	json_error_t e;
	json_t *v;

	if (record_check_text(line, len, why, whylen) < 0)
		return NULL;
	v = json_loadb(line, len, JSON_DECODE_ANY, &e);
	if (!v) {
		snprintf(why, whylen, "not JSON: %s at column %d", e.text,
		    e.column);
		return NULL;
	}
	return v;
}

json_t *
record_parse(const char *line, size_t len, char *why, size_t whylen)
{
	json_t *v = record_parse_value(line, len, why, whylen);

	if (v && !json_is_object(v)) {
		snprintf(why, whylen, "not an object");
		json_decref(v);
		return NULL;
	}
	return v;
}

int
record_write(FILE *out, const json_t *rec)
{
	static struct json_buf b;

	b.len = 0;
	if (json_write(&b, rec) < 0 || json_buf_put(&b, "\n", 1) < 0)
		return -1;
	if (fwrite(b.data, 1, b.len, out) != b.len)
		return -1;
	return 0;
}

void
record_add_error(json_t *rec, const char *stage, const char *fmt, ...)
{
	char msg[1024], at[RFC3339_LEN];
	json_t *errs = json_object_get(rec, "errors");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_redact(msg);
	rfc3339_now(at, sizeof at);
	if (!json_is_array(errs)) {
		errs = json_array();
		json_object_set_new(rec, "errors", errs);
	}
	json_array_append_new(errs, json_pack("{s:s, s:s, s:s}", "stage",
	    stage, "error", msg, "at", at));
}

size_t
record_error_count(const json_t *rec)
{
	const json_t *errs = json_object_get(rec, "errors");

	return json_is_array(errs) ? json_array_size(errs) : 0;
}

const char *
record_str(const json_t *rec, const char *key)
{
	return json_string_value(json_object_get(rec, key));
}

static int ioerr;

static void
stream_flush(void *arg)
{
	struct record_stream *s = arg;

	if (s->flush)
		s->flush(s->flush_arg);
	if (fflush(s->out) == EOF && errno != EPIPE && !ioerr) {
		log_error(NULL, "write: %s", strerror(errno));
		ioerr = 1;
	}
}

int
record_stream_emit(struct record_stream *s, json_t *rec)
{
	if (record_write(s->out, rec) < 0) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		ioerr = 1;
		return -1;
	}
	return 0;
}

int
record_stream_write(struct record_stream *s, const char *line, size_t len)
{
	if (fwrite(line, 1, len, s->out) != len) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		ioerr = 1;
		return -1;
	}
	return 0;
}

int
record_stream_run(struct record_stream *s, int fd,
    enum record_fate (*fn)(json_t *rec, void *arg), void *arg)
{
	struct record_reader *r = record_reader_new(fd, s->max_line);
	char *line, why[256];
	size_t len;
	enum record_line got;
	int fatal = 0;

	if (!r) {
		log_error(NULL, "out of memory");
		return EX_OSERR;
	}
	record_reader_on_flush(r, stream_flush, s);
	record_reader_set_reject(r, s->reject);
	while (!ioerr && !fatal &&
	    (got = record_read_line(r, &line, &len)) != RECORD_EOF) {
		unsigned long no = record_reader_lineno(r);
		json_t *rec;
		size_t before;

		if (got == RECORD_IOERR) {
			log_error(NULL, "read: %s", strerror(errno));
			fatal = 1;
			break;
		}
		s->n_in++;
		if (got == RECORD_TOOLONG) {
			log_error(NULL, "line %lu: longer than %zu bytes", no,
			    s->max_line);
			s->n_malformed++;
			continue;
		}
		if (s->fast) {
			if (record_check_text(line, len, why, sizeof why) < 0) {
				log_error(NULL, "line %lu: %s", no, why);
				if (s->reject) {
					fwrite(line, 1, len, s->reject);
					fputc('\n', s->reject);
				}
				s->n_malformed++;
				continue;
			}
			if (s->fast(line, len, arg))
				continue;
		}
		rec = record_parse(line, len, why, sizeof why);
		if (!rec) {
			log_error(NULL, "line %lu: %s", no, why);
			if (s->reject) {
				fwrite(line, 1, len, s->reject);
				fputc('\n', s->reject);
			}
			s->n_malformed++;
			continue;
		}
		before = record_error_count(rec);
		switch (fn(rec, arg)) {
		case RECORD_PASS:
			if (record_error_count(rec) > before)
				s->n_failed++;
			record_stream_emit(s, rec);
			break;
		case RECORD_TAKEN:
			if (record_error_count(rec) > before)
				s->n_failed++;
			break;
		case RECORD_FATAL:
			fatal = 1;
			break;
		}
		json_decref(rec);
	}
	record_reader_free(r);
	stream_flush(s);
	if (s->reject)
		fflush(s->reject);
	if (ioerr || fatal)
		return EX_IOERR;
	if (s->n_malformed)
		return EX_DATAERR;
	if (s->strict && s->n_failed)
		return 1;
	return 0;
}
