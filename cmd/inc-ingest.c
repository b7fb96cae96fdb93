/*
 * inc-ingest: turn what people and monitors send into records.
 *
 * Reads files, directories or standard input, decides what each input is
 * (incident JSON, an Alertmanager or Grafana webhook body, a mail message,
 * plain text, audio, a runbook) and writes one JSON line per incident.
 * Bad input is reported, copied to the reject file, and never passed on.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "alert.h"
#include "cli.h"
#include "fs.h"
#include "config.h"
#include "id.h"
#include "incident.h"
#include "jscan.h"
#include "log.h"
#include "mail.h"
#include "progress.h"
#include "rfc3339.h"
#include "record.h"
#include "runbook.h"
#include "sig.h"
#include "spool.h"
#include "utf8.h"

#define USAGE \
	"usage: inc-ingest [-qw] [--progress] [-f format] [-t type] [-s source] " \
	"[--title text] [--id id]\n" \
	"                  [-m key=value]... [--kb] [--reject file] " \
	"[file | dir | -]...\n" \
	"       inc-ingest [options] --spool dir [--follow]\n"

enum format { F_AUTO, F_JSON, F_TEXT, F_EMAIL, F_AUDIO, F_RUNBOOK };

static const char *format_names[] = { "auto", "json", "text", "email",
	"audio", "runbook", NULL };

struct opts {
	const char *type, *source, *title, *id;
	json_t *meta;		/* -m key=value pairs */
	enum format format;
	int whole, kb, follow;
	enum progress_mode progress;
	const char *reject, *spool;
};

struct ingest {
	struct opts *o;
	struct incident_limits lim;
	size_t max_line, max_doc;
	FILE *out, *reject;
	magic_t magic;
	json_t *collect;	/* spool mode: an entry's records */
	const char *entry;	/* spool mode: the entry's name */
	int64_t entry_usec;	/* spool mode: when it arrived */
	struct jscan scan;	/* the bulk path for JSON lines */
	int bulk;		/* INC_BULK_PATH=0 turns it off */
	unsigned long n_out, n_rejected, n_ids;
	int ioerr;
};

/* Where a message points: "file: line 3", "line 3" (stdin), "file". */
static void
where(char *buf, size_t len, const char *input, unsigned long line)
{
	int std = strcmp(input, "-") == 0;

	if (line && !std)
		snprintf(buf, len, "%s: line %lu", input, line);
	else if (line)
		snprintf(buf, len, "line %lu", line);
	else
		snprintf(buf, len, "%s", std ? "stdin" : input);
}

static void
reject(struct ingest *g, const char *input, unsigned long line,
    const char *raw, size_t rawlen, const char *why)
{
	char at[PATH_MAX + 32];

	where(at, sizeof at, input, line);
	progress_end();
	log_error(NULL, "%s: %s", at, why);
	g->n_rejected++;
	if (g->reject && raw) {
		fwrite(raw, 1, rawlen, g->reject);
		fputc('\n', g->reject);
	}
}

static void
reject_json(struct ingest *g, const char *input, unsigned long line,
    const json_t *v, const char *why)
{
	char *raw = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	reject(g, input, line, raw, raw ? strlen(raw) : 0, why);
	free(raw);
}

/* Apply the flags that override what the sender wrote. */
static void
apply_opts(struct ingest *g, json_t *rec)
{
	struct opts *o = g->o;

	if (o->type)
		json_object_set_new(rec, "type", json_string(o->type));
	if (o->source)
		json_object_set_new(rec, "source", json_string(o->source));
	if (o->title)
		json_object_set_new(rec, "title", json_string(o->title));
	if (o->kb)
		json_object_set_new(rec, "kind", json_string("kb"));
	if (o->id) {
		char id[ID_MAX + 32];
		/* One --id, many records: the second is ID.2, and so on. */
		if (g->n_ids++ == 0)
			snprintf(id, sizeof id, "%s", o->id);
		else
			snprintf(id, sizeof id, "%s.%lu", o->id, g->n_ids);
		json_object_set_new(rec, "id", json_string(id));
	}
	if (json_object_size(o->meta)) {
		json_t *m = json_object_get(rec, "metadata");
		if (!json_is_object(m)) {
			m = json_object();
			json_object_set_new(rec, "metadata", m);
		}
		json_object_update(m, o->meta);
	}
}

/* Check, complete and write one record (or keep it, in spool mode). */
static void
emit(struct ingest *g, json_t *rec, const char *format, const char *input,
    unsigned long line)
{
	char why[256];

	apply_opts(g, rec);
	if (incident_check(rec, &g->lim, why, sizeof why) < 0) {
		reject_json(g, input, line, rec, why);
		return;
	}
	/* A knowledge-base document carries severity in our three words. */
	if (json_is_string(json_object_get(rec, "severity")) &&
	    strcmp(json_string_value(json_object_get(rec, "kind")) ?
	    json_string_value(json_object_get(rec, "kind")) : "", "kb") == 0) {
		const char *sev = runbook_severity(json_string_value(
		    json_object_get(rec, "severity")));
		if (sev)
			json_object_set_new(rec, "severity", json_string(sev));
	}
	if (g->collect) {
		/* A replayed entry must give the ids and times it gave the
		 * first time: later stages know a record by its id. */
		char id[ID_MAX + 16], t[RFC3339_LEN];
		size_t n = json_array_size(g->collect);
		if (!json_object_get(rec, "id")) {
			id_at(g->entry_usec, g->entry, id, sizeof id);
			if (n > 0)
				snprintf(id + strlen(id), sizeof id -
				    strlen(id), ".%zu", n + 1);
			json_object_set_new(rec, "id", json_string(id));
		}
		if (!json_object_get(rec, "received_at")) {
			rfc3339_format(g->entry_usec, t, sizeof t);
			json_object_set_new(rec, "received_at", json_string(t));
		}
		incident_complete(rec, format, input);
		json_array_append(g->collect, rec);
		return;
	}
	incident_complete(rec, format, input);
	if (record_write(g->out, rec) < 0) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		g->ioerr = 1;
		return;
	}
	g->n_out++;
	progress_update(g->n_out, g->n_rejected);
}

/* One JSON value: an incident, a webhook body, or an array of them. */
static void
ingest_value(struct ingest *g, json_t *v, const char *input,
    unsigned long line, int nested)
{
	char why[256];
	enum alert_kind ak;

	if (json_is_array(v) && !nested) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			ingest_value(g, e, input, line, 1);
		return;
	}
	if (!json_is_object(v)) {
		reject_json(g, input, line, v, "not an object");
		return;
	}
	if (!g->o->kb && (ak = alert_detect(v)) != ALERT_NONE) {
		json_t *recs = alert_records(v, ak, why, sizeof why);
		size_t i;
		json_t *r;
		if (!recs) {
			reject_json(g, input, line, v, why);
			return;
		}
		json_array_foreach(recs, i, r)
			emit(g, r, alert_format(ak), input, line);
		json_decref(recs);
		return;
	}
	emit(g, v, g->o->kb ? "kb" : "json", input, line);
}

/*
 * The bulk path: a plain incident line goes out as written plus our keys,
 * without a round trip through jansson.  1 done, 0 not taken.
 */
static int
fast_line(struct ingest *g, const char *line, size_t len,
    const char *input_json)
{
	struct opts *o = g->o;
	int r;

	if (!g->bulk || g->collect || o->kb || o->type || o->source ||
	    o->title ||
	    o->id || json_object_size(o->meta))
		return 0;
	if (!jscan_object(&g->scan, line, len))
		return 0;
	r = incident_fast_write(g->out, &g->scan, &g->lim, "json",
	    input_json);
	if (r < 0) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		g->ioerr = 1;
		return 1;
	}
	if (r > 0) {
		g->n_out++;
		progress_update(g->n_out, g->n_rejected);
	}
	return r;
}

static void
flush_out(void *arg)
{
	struct ingest *g = arg;

	if (fflush(g->out) == EOF && errno != EPIPE && !g->ioerr) {
		log_error(NULL, "write: %s", strerror(errno));
		g->ioerr = 1;
	}
}

/* JSON lines, or plain text with one incident per line. */
static void
ingest_lines(struct ingest *g, struct record_reader *r, const char *input,
    int json)
{
	enum record_line got;
	char *line, why[256], *input_json;
	size_t len;
	json_t *name = json_string(input);

	input_json = json_dumps(name, JSON_ENCODE_ANY);
	json_decref(name);
	while (!g->ioerr &&
	    (got = record_read_line(r, &line, &len)) != RECORD_EOF) {
		unsigned long no = record_reader_lineno(r);
		json_t *v;

		if (got == RECORD_IOERR) {
			reject(g, input, no, NULL, 0, strerror(errno));
			return;
		}
		if (got == RECORD_TOOLONG) {
			snprintf(why, sizeof why, "longer than %zu bytes",
			    g->max_line);
			reject(g, input, no, NULL, 0, why);
			continue;
		}
		if (len && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strspn(line, " \t") == len)
			continue;	/* blank lines separate, they say nothing */
		if (json) {
			if (record_check_text(line, len, why, sizeof why) < 0) {
				reject(g, input, no, line, len, why);
				continue;
			}
			if (input_json && fast_line(g, line, len, input_json))
				continue;
			v = record_parse_value(line, len, why, sizeof why);
			if (!v) {
				reject(g, input, no, line, len, why);
				continue;
			}
			ingest_value(g, v, input, no, 0);
			json_decref(v);
			continue;
		}
		if (memchr(line, '\0', len)) {
			reject(g, input, no, line, len, "NUL byte in text");
			continue;
		}
		size_t bad;
		if (!utf8_valid(line, len, &bad)) {
			snprintf(why, sizeof why, "invalid UTF-8 at byte %zu",
			    bad + 1);
			reject(g, input, no, line, len, why);
			continue;
		}
		v = json_pack("{s:s%}", "description", line, len);
		emit(g, v, "text", input, no);
		json_decref(v);
	}
	free(input_json);
}

static const char *
audio_ext(const char *mime)
{
	if (strstr(mime, "wav"))
		return "wav";
	if (strstr(mime, "mpeg"))
		return "mp3";
	if (strstr(mime, "ogg"))
		return "ogg";
	if (strstr(mime, "flac"))
		return "flac";
	return "audio";
}

/*
 * An audio job for inc-stt.  A file is referred to where it is; audio on
 * standard input is kept under the state directory, since the record can
 * only carry a path.
 */
static void
ingest_audio(struct ingest *g, struct record_reader *r, const char *input,
    const char *mime)
{
	char path[PATH_MAX], id[ID_MAX + 1], why[PATH_MAX + 64];
	json_t *rec;

	id_new(id, sizeof id);
	if (strcmp(input, "-") != 0) {
		if (!realpath(input, path)) {
			reject(g, input, 0, NULL, 0, strerror(errno));
			return;
		}
	} else {
		char *buf;
		size_t len;
		FILE *f;
		snprintf(path, sizeof path, "%s/audio", config_state_dir());
		if (fs_mkdir_p(path, 0700) < 0) {
			snprintf(why, sizeof why, "%s: %s", path,
			    strerror(errno));
			reject(g, input, 0, NULL, 0, why);
			return;
		}
		if (record_reader_slurp(r, g->max_doc, &buf, &len) < 0) {
			reject(g, input, 0, NULL, 0, strerror(errno));
			return;
		}
		snprintf(path + strlen(path), sizeof path - strlen(path),
		    "/%s.%s", id, audio_ext(mime));
		f = fopen(path, "wx");
		if (!f || fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
			snprintf(why, sizeof why, "%s: %s", path,
			    strerror(errno));
			reject(g, input, 0, NULL, 0, why);
			return;
		}
	}
	rec = json_pack("{s:s, s:{s:s, s:s}}", "id", id, "audio", "path",
	    path, "mime", mime);
	emit(g, rec, "audio", input, 0);
	json_decref(rec);
}

static int
is_blank_text(const char *p, size_t n)
{
	return strspn(p, " \t\r\n") >= n;
}

/* libmagic's MIME type for a buffer, loading its database on first use. */
static const char *
mime_of(struct ingest *g, const char *p, size_t n)
{
	const char *mime;

	if (!g->magic) {
		g->magic = magic_open(MAGIC_MIME_TYPE);
		if (g->magic && magic_load(g->magic, NULL) != 0) {
			magic_close(g->magic);
			g->magic = NULL;
		}
	}
	mime = g->magic ? magic_buffer(g->magic, p, n) : NULL;
	return mime ? mime : "application/octet-stream";
}

static int
is_markdown(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcmp(dot, ".md") == 0 ||
	    strcmp(dot, ".markdown") == 0);
}

/* Decide what an input is from its first bytes; libmagic for binaries. */
static enum format
sniff(struct ingest *g, const char *input, const char *p, size_t n,
    const char **mime)
{
	size_t i = strspn(p, " \t\r\n");
	size_t check = utf8_cut(p, n, n > 4096 ? 4096 : n);

	*mime = NULL;
	/* A runbook may well open with a [link]. */
	if (g->o->kb && is_markdown(input))
		return F_RUNBOOK;
	if (i < n && (p[i] == '{' || p[i] == '['))
		return F_JSON;
	if (check == 0 || memchr(p, '\0', check) ||
	    !utf8_valid(p, utf8_cut(p, check, check), NULL)) {
		*mime = mime_of(g, p, n);
		if (strncmp(*mime, "audio/", 6) == 0)
			return F_AUDIO;
		return F_AUTO;	/* a binary we have no use for */
	}
	if (g->o->kb)
		return F_RUNBOOK;
	if (mail_sniff(p, n))
		return F_EMAIL;
	return F_TEXT;
}

/* Read one input (an open descriptor) in whatever format it is in. */
static void
ingest_fd(struct ingest *g, int fd, const char *input, const char *relpath)
{
	struct record_reader *r = record_reader_new(fd, g->max_line);
	const char *peek, *mime = NULL;
	char why[256], *buf;
	size_t len;
	ssize_t n;
	enum format f;
	json_t *v;

	if (!r) {
		reject(g, input, 0, NULL, 0, "out of memory");
		return;
	}
	record_reader_on_flush(r, flush_out, g);
	record_reader_set_reject(r, g->reject);
	n = record_reader_peek(r, &peek);
	if (n < 0) {
		reject(g, input, 0, NULL, 0, strerror(errno));
		goto out;
	}
	if (n == 0 || is_blank_text(peek, (size_t)n))
		goto out;	/* nothing to say is not an error */
	/* A header-shaped first line may start a mail: look at the whole
	 * header block before deciding, however slowly it arrives. */
	if (g->o->format == F_AUTO && !g->o->kb && mail_sniff_start(peek,
	    (size_t)n) && (n = record_reader_peek_block(r, &peek)) < 0) {
		reject(g, input, 0, NULL, 0, strerror(errno));
		goto out;
	}
	f = g->o->format != F_AUTO ? g->o->format :
	    sniff(g, input, peek, (size_t)n, &mime);
	if (f == F_AUDIO && !mime)
		mime = mime_of(g, peek, (size_t)n);
	if (f == F_JSON && g->o->whole == 0) {
		/* JSON lines when the first line is a value on its own;
		 * otherwise one (pretty-printed) document. */
		size_t s = strspn(peek, " \t\r\n");
		const char *nl = memchr(peek + s, '\n', (size_t)n - s);
		json_error_t e;
		v = nl ? json_loadb(peek + s, (size_t)(nl - peek - s),
		    JSON_DECODE_ANY, &e) : NULL;
		if (v) {
			json_decref(v);
			ingest_lines(g, r, input, 1);
			goto out;
		}
	}
	switch (f) {
	case F_TEXT:
		if (!g->o->whole) {
			ingest_lines(g, r, input, 0);
			break;
		}
		/* fall through */
	case F_JSON:
	case F_EMAIL:
	case F_RUNBOOK:
		if (record_reader_slurp(r, g->max_doc, &buf, &len) < 0) {
			snprintf(why, sizeof why, "%s", errno == EFBIG ?
			    "input is larger than the document limit" :
			    strerror(errno));
			reject(g, input, 0, NULL, 0, why);
			break;
		}
		if (memchr(buf, '\0', len)) {
			reject(g, input, 0, NULL, 0, "NUL byte in input");
			break;
		}
		if (f == F_JSON) {
			json_error_t e;
			v = record_parse_value(buf, len, why, sizeof why);
			if (!v) {
				/* record_parse_value names the column only;
				 * a document needs the line too. */
				json_t *again = json_loadb(buf, len,
				    JSON_DECODE_ANY, &e);
				json_decref(again);
				if (!again)
					snprintf(why, sizeof why, "not JSON: "
					    "%s", e.text);
				reject(g, input, again ? 0 : (unsigned long)
				    e.line, buf, len, why);
				break;
			}
			ingest_value(g, v, input, 0, 0);
			json_decref(v);
		} else if (f == F_EMAIL) {
			v = mail_record(buf, len, why, sizeof why);
			if (!v) {
				reject(g, input, 0, buf, len, why);
				break;
			}
			emit(g, v, "email", input, 0);
			json_decref(v);
		} else if (f == F_RUNBOOK) {
			v = runbook_record(buf, len, relpath, why, sizeof why);
			if (!v) {
				reject(g, input, 0, buf, len, why);
				break;
			}
			emit(g, v, "runbook", input, 0);
			json_decref(v);
		} else {
			size_t bad;
			if (!utf8_valid(buf, len, &bad)) {
				snprintf(why, sizeof why,
				    "invalid UTF-8 at byte %zu", bad + 1);
				reject(g, input, 0, NULL, 0, why);
				break;
			}
			while (len && strchr(" \t\r\n", buf[len - 1]))
				buf[--len] = '\0';
			v = json_pack("{s:s%}", "description", buf, len);
			emit(g, v, "text", input, 0);
			json_decref(v);
		}
		break;
	case F_AUDIO:
		ingest_audio(g, r, input, mime);
		break;
	case F_AUTO:
		snprintf(why, sizeof why, "unsupported input type %s", mime);
		reject(g, input, 0, NULL, 0, why);
		break;
	}
out:
	record_reader_free(r);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
kb_file(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && (strcmp(dot, ".md") == 0 ||
	    strcmp(dot, ".markdown") == 0 || strcmp(dot, ".json") == 0 ||
	    strcmp(dot, ".jsonl") == 0);
}

/*
 * A file or a directory, walked in name order.  Names starting with '.'
 * or '_' are skipped in a walk (editor files, Hugo's _index.md); with
 * --kb only markdown and JSON files are read.
 */
static void
ingest_path(struct ingest *g, const char *path, const char *relpath)
{
	struct stat st;
	int fd;

	if (sig_stop || g->ioerr)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		reject(g, path, 0, NULL, 0, strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		DIR *d = fdopendir(fd);
		struct dirent *de;
		char **names = NULL;
		size_t n = 0, cap = 0;
		if (!d) {
			reject(g, path, 0, NULL, 0, strerror(errno));
			close(fd);
			return;
		}
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' || de->d_name[0] == '_')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				char **nn = realloc(names, cap * sizeof *names);
				if (!nn)
					break;
				names = nn;
			}
			names[n++] = strdup(de->d_name);
		}
		closedir(d);
		qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n; i++) {
			char sub[PATH_MAX], rel[PATH_MAX];
			struct stat cs;
			snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
			snprintf(rel, sizeof rel, "%s%s%s", relpath,
			    *relpath ? "/" : "", names[i]);
			if (stat(sub, &cs) == 0 && !S_ISDIR(cs.st_mode) &&
			    g->o->kb && !kb_file(names[i]))
				;	/* LICENSE, SOURCE.txt beside runbooks */
			else
				ingest_path(g, sub, rel);
			free(names[i]);
		}
		free(names);
		return;
	}
	ingest_fd(g, fd, path, relpath);
	close(fd);
}

/*
 * When an entry arrived: its name says so ("SECONDS.USEC.…"), else its
 * modification time.
 */
static int64_t
entry_time(const char *name, int fd)
{
	struct stat st;
	char *end;
	unsigned long long s = strtoull(name, &end, 10), us = 0;

	if (end != name && *end == '.') {
		char *e2;
		us = strtoull(end + 1, &e2, 10);
		if (e2 != end + 1 && *e2 == '.' && us < 1000000)
			return (int64_t)s * 1000000 + (int64_t)us;
	}
	if (fstat(fd, &st) == 0)
		return (int64_t)st.st_mtim.tv_sec * 1000000 +
		    st.st_mtim.tv_nsec / 1000;
	return rfc3339_usec_now();
}

/* One spool entry: all its records, each told which part it is. */
static void
ingest_entry(struct ingest *g, const char *dir, const char *name)
{
	char path[PATH_MAX], input[PATH_MAX + 8];
	unsigned long before = g->n_rejected;
	size_t i, n;
	json_t *rec;
	int fd;

	snprintf(path, sizeof path, "%s/cur/%s", dir, name);
	snprintf(input, sizeof input, "spool:%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			reject(g, input, 0, NULL, 0, strerror(errno));
		return;
	}
	g->collect = json_array();
	g->entry = name;
	g->entry_usec = entry_time(name, fd);
	ingest_fd(g, fd, input, name);
	close(fd);
	if (sig_stop) {
		/* Stopped mid-entry, perhaps: what was read may not be all of
		 * it, and an entry is sent whole or not at all.  It stays in
		 * cur/, which the next start replays first. */
		json_decref(g->collect);
		g->collect = NULL;
		return;
	}
	n = json_array_size(g->collect);
	json_array_foreach(g->collect, i, rec) {
		json_object_set_new(rec, "spool", json_pack("{s:s, s:I, s:I}",
		    "name", name, "part", (json_int_t)i + 1, "parts",
		    (json_int_t)n));
		if (record_write(g->out, rec) < 0) {
			g->ioerr = 1;
			break;
		}
		g->n_out++;
	}
	json_decref(g->collect);
	g->collect = NULL;
	/* Nothing came of it: nobody will ack it, so keep it aside. */
	if (n == 0) {
		if (g->n_rejected == before)
			log_error(NULL, "%s: no records", input);
		if (spool_bad(dir, name) < 0)
			log_error(NULL, "%s: cannot move to bad/: %s", input,
			    strerror(errno));
	}
	flush_out(g);
}

static int
run_spool(struct ingest *g)
{
	const char *dir = g->o->spool;
	char why[PATH_MAX + 64];
	char **names;
	int wfd = -1;

	if (spool_init(dir, why, sizeof why) < 0) {
		log_error(NULL, "spool %s", why);
		return EX_CANTCREAT;
	}
	/* Entries left in cur/ by a crash come first: replay them. */
	if ((names = spool_list(dir, "cur")) == NULL) {
		log_error(NULL, "%s/cur: %s", dir, strerror(errno));
		return EX_IOERR;
	}
	for (char **p = names; *p && !sig_stop && !g->ioerr; p++)
		ingest_entry(g, dir, *p);
	spool_list_free(names);
	if (g->o->follow && (wfd = spool_watch(dir)) < 0) {
		log_error(NULL, "%s/new: inotify: %s", dir, strerror(errno));
		return EX_OSERR;
	}
	do {
		if ((names = spool_list(dir, "new")) == NULL) {
			log_error(NULL, "%s/new: %s", dir, strerror(errno));
			return EX_IOERR;
		}
		for (char **p = names; *p && !sig_stop && !g->ioerr; p++)
			if (spool_claim(dir, *p) == 0)
				ingest_entry(g, dir, *p);
		spool_list_free(names);
		/* The timeout is a safety net for a missed event. */
		if (g->o->follow && !sig_stop && !g->ioerr &&
		    spool_wait(wfd, 5000) < 0) {
			log_error(NULL, "inotify: %s", strerror(errno));
			return EX_OSERR;
		}
	} while (g->o->follow && !sig_stop && !g->ioerr);
	if (wfd >= 0)
		close(wfd);
	return 0;
}

static json_t *meta_flags;

/* Usage errors exit from inside option parsing: free what it made. */
static void
free_meta(void)
{
	json_decref(meta_flags);
	meta_flags = NULL;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "source", required_argument, NULL, 's' },
		{ "title", required_argument, NULL, 'T' },
		{ "id", required_argument, NULL, 'I' },
		{ "meta", required_argument, NULL, 'm' },
		{ "format", required_argument, NULL, 'f' },
		{ "whole", no_argument, NULL, 'w' },
		{ "kb", no_argument, NULL, 'K' },
		{ "reject", required_argument, NULL, 'R' },
		{ "spool", required_argument, NULL, 'S' },
		{ "follow", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "progress", no_argument, NULL, 'P' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts cli = { 0 };
	int c;

	memset(o, 0, sizeof *o);
	o->meta = meta_flags = json_object();
	atexit(free_meta);
	while ((c = getopt_long(argc, argv, "t:s:m:f:wqhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 't':
			o->type = optarg;
			break;
		case 's':
			o->source = optarg;
			break;
		case 'T':
			o->title = optarg;
			break;
		case 'I':
			if (!id_valid(optarg))
				cli_usage_error(USAGE, "--id: must match "
				    "[A-Za-z0-9._:-]{1,128}: ", optarg);
			o->id = optarg;
			break;
		case 'm': {
			char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg)
				cli_usage_error(USAGE,
				    "-m: expected key=value: ", optarg);
			*eq = '\0';
			json_t *v = json_string(eq + 1);
			if (!v)
				cli_usage_error(USAGE,
				    "-m: value is not UTF-8: ", optarg);
			json_object_set_new(o->meta, optarg, v);
			break;
		}
		case 'f': {
			int i;
			for (i = 1; format_names[i]; i++)
				if (strcmp(optarg, format_names[i]) == 0)
					break;
			if (!format_names[i])
				cli_usage_error(USAGE, "-f: one of json, text, "
				    "email, audio, runbook: ", optarg);
			o->format = (enum format)i;
			break;
		}
		case 'w':
			o->whole = 1;
			break;
		case 'K':
			o->kb = 1;
			break;
		case 'R':
			o->reject = optarg;
			break;
		case 'S':
			o->spool = optarg;
			break;
		case 'F':
			o->follow = 1;
			break;
		case 'q':
			o->progress = PROGRESS_OFF;
			break;
		case 'P':
			o->progress = PROGRESS_ON;
			break;
		default:
			cli_option(c, USAGE, &cli);
		}
	}
	if (o->follow && !o->spool)
		cli_usage_error(USAGE, "--follow: needs --spool", NULL);
	if (o->spool && o->id)
		cli_usage_error(USAGE, "--id: not with --spool, whose entries "
		    "keep their own ids", NULL);
	if (o->spool && optind < argc)
		cli_usage_error(USAGE, "--spool: takes no file arguments: ",
		    argv[optind]);
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct ingest g;
	char err[512];
	int rc = 0;

	log_init("inc-ingest");
	sig_setup();
	parse_opts(argc, argv, &o);
	memset(&g, 0, sizeof g);
	g.o = &o;
	g.out = stdout;
	if (config_load(err, sizeof err) < 0 ||
	    (log_configure(), 0) ||
	    record_max_line(&g.max_line, err, sizeof err) < 0 ||
	    incident_limits_load(&g.lim, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	g.bulk = record_bulk_path();
	/* A whole document (a webhook body, a mail) may span many lines. */
	g.max_doc = g.max_line * 16;
	if (o.reject && !(g.reject = fopen(o.reject, "a"))) {
		log_error(NULL, "%s: %s", o.reject, strerror(errno));
		return EX_CANTCREAT;
	}
	progress_init(o.progress);
	if (o.spool) {
		rc = run_spool(&g);
	} else if (optind == argc) {
		ingest_fd(&g, 0, "-", "stdin");
	} else {
		for (int i = optind; i < argc && !sig_stop && !g.ioerr; i++) {
			if (strcmp(argv[i], "-") == 0) {
				ingest_fd(&g, 0, "-", "stdin");
				continue;
			}
			const char *base = strrchr(argv[i], '/');
			struct stat st;
			/* Ids of runbooks in a walked folder are relative to
			 * it; a lone file is known by its name. */
			if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
				ingest_path(&g, argv[i], "");
			else
				ingest_path(&g, argv[i],
				    base ? base + 1 : argv[i]);
		}
	}
	flush_out(&g);
	progress_end();
	if (g.reject && fclose(g.reject) != 0)
		log_error(NULL, "%s: %s", o.reject, strerror(errno));
	if (g.magic)
		magic_close(g.magic);
	jscan_free(&g.scan);
	if (rc)
		return rc;
	if (g.ioerr)
		return EX_IOERR;
	/* Asked to stop (DESIGN §3): a supervisor must not see a failure. */
	if (sig_stop)
		return 0;
	return g.n_rejected ? EX_DATAERR : 0;
}
