/*
 * inc-store: keep incidents, their timeline and the knowledge base
 * (DESIGN §4).  As a filter it stores each record and passes it on; its
 * subcommands read the store and move incidents along their lifecycle.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
#include <jansson.h>

#include "cli.h"
#include "config.h"
#include "id.h"
#include "jscan.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "sig.h"
#include "store.h"

#define USAGE \
"usage: inc-store [-nq] [-d url] [--ack dir] [--kb] [--reject file]" \
" [--strict]\n" \
"       inc-store [-d url] get id\n" \
"       inc-store [-d url] list [--status status] [--severity severity]\n" \
"                 [--since time] [--limit n] [-f jsonl | table]\n" \
"       inc-store [-d url] stats [--since time] [-f json | table]\n" \
"       inc-store [-d url] events id\n" \
"       inc-store [-d url] ack id [--by who]\n" \
"       inc-store [-d url] resolve id --resolution text [--by who]\n" \
"       inc-store [-d url] migrate\n"

enum {
	O_ACK = 256, O_KB, O_REJECT, O_STRICT, O_STATUS, O_SEVERITY, O_SINCE,
	O_LIMIT, O_BY, O_RESOLUTION,
};

/* Which options each command takes: one bit per option given. */
#define G_FORMAT 1u
#define G_DRY_RUN 2u
#define BIT(o) (1u << ((o) - O_ACK + 2))
#define G_FILTER (BIT(O_ACK) | BIT(O_KB) | BIT(O_REJECT) | BIT(O_STRICT) | \
	G_DRY_RUN)

struct opts {
	const char *db, *ack_dir, *reject, *status, *severity, *format;
	const char *by, *resolution;
	char since[RFC3339_LEN];
	long limit;
	int kb, dry_run, strict, quiet;
	unsigned given;		/* option bits seen, for the checks */
	const char *cmd;	/* NULL: filter mode */
	char **args;
	int nargs;
};

/* --since: RFC 3339, a date, or a duration back from now (24h, 7d). */
static int
parse_since(const char *s, char *buf, size_t len)
{
	static const struct { char unit; long sec; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 604800 },
	};
	char tmp[64];
	char *end;
	long long n;

	if (rfc3339_normalise(s, buf, len) == 0)
		return 0;
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		snprintf(tmp, sizeof tmp, "%sT00:00:00Z", s);
		return rfc3339_normalise(tmp, buf, len);
	}
	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno || n < 0 || n > 100000 || !end[0] || end[1])
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (*end == units[i].unit) {
			rfc3339_format(rfc3339_usec_now() -
			    n * units[i].sec * 1000000, buf, len);
			return 0;
		}
	return -1;
}

static void
parse_opts(int argc, char *argv[], struct opts *o)
{
	static const struct option longs[] = {
		{ "ack", required_argument, NULL, O_ACK },
		{ "by", required_argument, NULL, O_BY },
		{ "db", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "kb", no_argument, NULL, O_KB },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "reject", required_argument, NULL, O_REJECT },
		{ "resolution", required_argument, NULL, O_RESOLUTION },
		{ "severity", required_argument, NULL, O_SEVERITY },
		{ "since", required_argument, NULL, O_SINCE },
		{ "status", required_argument, NULL, O_STATUS },
		{ "strict", no_argument, NULL, O_STRICT },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		const char *cmd;
		int nargs;
		unsigned takes;
	} cmds[] = {
		{ "get", 1, 0 },
		{ "list", 0, BIT(O_STATUS) | BIT(O_SEVERITY) | BIT(O_SINCE) |
		    BIT(O_LIMIT) | G_FORMAT },
		{ "stats", 0, BIT(O_SINCE) | G_FORMAT },
		{ "events", 1, 0 },
		{ "ack", 1, BIT(O_BY) },
		{ "resolve", 1, BIT(O_RESOLUTION) | BIT(O_BY) },
		{ "migrate", 0, 0 },
	};
	static const char *const opt_names[] = {
		"--ack", "--kb", "--reject", "--strict", "--status",
		"--severity", "--since", "--limit", "--by", "--resolution",
	};
	struct cli_opts cli = { 0 };
	unsigned takes = G_FILTER;
	int c, nargs = -1;
	char *end;

	memset(o, 0, sizeof *o);
	while ((c = getopt_long(argc, argv, "d:f:hnqV", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'f': o->format = optarg; o->given |= G_FORMAT; break;
		case 'n': o->dry_run = 1; o->given |= G_DRY_RUN; break;
		case 'q': o->quiet = 1; break;
		case O_ACK: o->ack_dir = optarg; break;
		case O_KB: o->kb = 1; break;
		case O_REJECT: o->reject = optarg; break;
		case O_STRICT: o->strict = 1; break;
		case O_STATUS: o->status = optarg; break;
		case O_SEVERITY: o->severity = optarg; break;
		case O_BY: o->by = optarg; break;
		case O_RESOLUTION: o->resolution = optarg; break;
		case O_SINCE:
			if (parse_since(optarg, o->since, sizeof o->since) < 0)
				cli_usage_errorf(USAGE, "--since: must be an "
				    "RFC 3339 time, a date or a duration such "
				    "as 24h or 7d");
			break;
		case O_LIMIT:
			errno = 0;
			o->limit = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || o->limit < 1)
				cli_usage_errorf(USAGE,
				    "--limit: must be a positive number");
			break;
		default: cli_option(c, USAGE, &cli);
		}
		if (c >= 256)
			o->given |= BIT(c);
	}
	o->args = argv + optind;
	o->nargs = argc - optind;
	if (o->nargs > 0) {
		o->cmd = o->args[0];
		o->args++;
		o->nargs--;
		for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
			if (strcmp(o->cmd, cmds[i].cmd) == 0) {
				takes = cmds[i].takes;
				nargs = cmds[i].nargs;
			}
		if (nargs < 0)
			cli_usage_errorf(USAGE, "%s: unknown command", o->cmd);
		if (o->nargs != nargs)
			cli_usage_errorf(USAGE, "%s: takes %s", o->cmd,
			    nargs ? "one id" : "no operands");
		if (nargs && !id_valid(o->args[0]))
			cli_usage_errorf(USAGE, "%s: not a valid incident id",
			    o->args[0]);
	}
	for (int i = 0; i < 10; i++)
		if ((o->given & ~takes) & BIT(O_ACK + i))
			cli_usage_errorf(USAGE, "%s: not an option of %s",
			    opt_names[i], o->cmd ? o->cmd : "filter mode");
	if ((o->given & ~takes) & G_FORMAT)
		cli_usage_errorf(USAGE, "--format: not an option of %s",
		    o->cmd ? o->cmd : "filter mode");
	if ((o->given & ~takes) & G_DRY_RUN)
		cli_usage_errorf(USAGE, "--dry-run: only in filter mode");
	if (o->status && strcmp(o->status, "open") != 0 &&
	    strcmp(o->status, "acknowledged") != 0 &&
	    strcmp(o->status, "resolved") != 0)
		cli_usage_errorf(USAGE, "--status: must be open, "
		    "acknowledged or resolved");
	if (o->severity) {
		/* People type "high"; records say "HIGH". */
		static char sev[16];
		size_t i;
		for (i = 0; o->severity[i] && i + 1 < sizeof sev; i++)
			sev[i] = (char)toupper((unsigned char)o->severity[i]);
		sev[i] = '\0';
		if (strcmp(sev, "LOW") != 0 && strcmp(sev, "MEDIUM") != 0 &&
		    strcmp(sev, "HIGH") != 0)
			cli_usage_errorf(USAGE,
			    "--severity: must be LOW, MEDIUM or HIGH");
		o->severity = sev;
	}
	if (o->format) {
		const char *other = o->cmd && strcmp(o->cmd, "stats") == 0 ?
		    "json" : "jsonl";
		if (strcmp(o->format, other) != 0 &&
		    strcmp(o->format, "table") != 0)
			cli_usage_errorf(USAGE,
			    "--format: must be %s or table", other);
	}
	if (o->cmd && strcmp(o->cmd, "resolve") == 0 &&
	    (!o->resolution || !*o->resolution))
		cli_usage_errorf(USAGE,
		    "resolve: --resolution text is required");
}

/* Filter mode */

struct filter {
	struct store *st;
	const struct opts *o;
	struct jscan scan;	/* to find `spool` in a line, for --ack */
	unsigned long n_failed;
	int ioerr;
};

/*
 * Remove the spool entry a record came from, once the last of its parts
 * is committed: records keep their order through the pipe, so the last
 * part arriving means every part before it is stored too.
 */
static void
ack_spool(const char *dir, const json_t *sp, const char *id)
{
	const char *name = json_string_value(json_object_get(sp, "name"));
	const json_t *part = json_object_get(sp, "part");
	const json_t *parts = json_object_get(sp, "parts");
	char path[4096];

	if (!json_is_object(sp))
		return;
	if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		log_warn(id, "spool.name: not a spool entry name: not acked");
		return;
	}
	if (json_is_integer(part) && json_is_integer(parts) &&
	    json_integer_value(part) != json_integer_value(parts))
		return;
	snprintf(path, sizeof path, "%s/cur/%s", dir, name);
	/* Missing: acked already, by an earlier run that was replayed. */
	if (unlink(path) < 0 && errno != ENOENT)
		log_error(id, "ack %s: %s", path, strerror(errno));
}

/* The record's spool entry, from a tree or from its line. */
static void
ack(struct filter *f, const struct store_result *res)
{
	const struct jscan_key *k;
	json_t *sp;

	if (res->rec) {
		ack_spool(f->o->ack_dir, json_object_get(res->rec, "spool"),
		    record_str(res->rec, "id"));
		return;
	}
	if (!jscan_object(&f->scan, res->line, res->len) ||
	    !(k = jscan_get(&f->scan, "spool")))
		return;
	sp = json_loadb(f->scan.out + k->voff, k->vlen, 0, NULL);
	ack_spool(f->o->ack_dir, sp, NULL);
	json_decref(sp);
}

static void
done(const struct store_result *res, void *arg)
{
	struct filter *f = arg;
	int bad;

	if (res->failed)
		f->n_failed++;
	if (f->o->dry_run && res->plan) {
		json_t *p = json_pack("{s:s}", "dry_run", "inc-store");
		json_object_update(p, (json_t *)res->plan);
		record_write(stderr, p);
		json_decref(p);
	}
	if (res->rec)
		bad = record_write(stdout, res->rec) < 0;
	else
		bad = fwrite(res->line, 1, res->len, stdout) != res->len ||
		    putchar('\n') == EOF;
	if (bad && !f->ioerr) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		f->ioerr = 1;
	}
	if (res->stored && f->o->ack_dir && !f->o->dry_run)
		ack(f, res);
}

static void
commit(struct filter *f)
{
	char err[1024];

	if (store_commit(f->st, done, f, err, sizeof err) < 0)
		log_error(NULL, "store %s: %s", store_where(f->st), err);
}

/* Before a read would block: commit, so the record goes out now. */
static void
flush(void *arg)
{
	struct filter *f = arg;

	commit(f);
	if (fflush(stdout) == EOF && !f->ioerr) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		f->ioerr = 1;
	}
}

/*
 * The stage loop of record_stream_run(), with one difference: a line
 * goes to the store as text first, and is parsed only when the store
 * cannot take it that way, because parsing is most of the cost of a
 * bulk load.
 */
static int
filter(struct store *st, const struct opts *o)
{
	struct filter f = { .st = st, .o = o };
	struct record_reader *r;
	unsigned long malformed = 0;
	enum record_line got;
	int flags = o->kb ? STORE_KB_ONLY : 0, rc = 0;
	FILE *reject = NULL;
	char why[256], *line;
	size_t max, len;

	if (record_max_line(&max, why, sizeof why) < 0) {
		log_error(NULL, "%s", why);
		return EX_CONFIG;
	}
	if (o->reject && !(reject = fopen(o->reject, "a"))) {
		log_error(NULL, "open %s: %s", o->reject, strerror(errno));
		return EX_CANTCREAT;
	}
	if (!(r = record_reader_new(STDIN_FILENO, max))) {
		log_error(NULL, "out of memory");
		return EX_OSERR;
	}
	record_reader_on_flush(r, flush, &f);
	record_reader_set_reject(r, reject);
	while (!f.ioerr &&
	    (got = record_read_line(r, &line, &len)) != RECORD_EOF) {
		unsigned long no = record_reader_lineno(r);
		json_t *rec;
		int due;

		if (got == RECORD_IOERR) {
			log_error(NULL, "read: %s", strerror(errno));
			rc = EX_IOERR;
			break;
		}
		if (got == RECORD_TOOLONG) {
			log_error(NULL, "line %lu: longer than %zu bytes", no,
			    max);
			malformed++;
			continue;
		}
		due = record_check_text(line, len, why, sizeof why) < 0 ?
		    STORE_ERR : store_put_line(st, line, len, flags);
		if (due == STORE_SLOW) {
			if (!(rec = record_parse(line, len, why, sizeof why)))
				due = STORE_ERR;
			else
				due = store_put(st, rec, flags);
			json_decref(rec);
		}
		if (due == STORE_ERR) {
			log_error(NULL, "line %lu: %s", no, why);
			if (reject) {
				fwrite(line, 1, len, reject);
				fputc('\n', reject);
			}
			malformed++;
			continue;
		}
		if (due)
			commit(&f);
	}
	flush(&f);
	record_reader_free(r);
	jscan_free(&f.scan);
	if (reject)
		fclose(reject);
	if (rc || f.ioerr)
		return EX_IOERR;
	if (malformed)
		return EX_DATAERR;
	return o->strict && f.n_failed ? 1 : 0;
}

/* Subcommands */

static int
print_rec(const json_t *rec, void *arg)
{
	(void)arg;
	return record_write(stdout, rec) < 0 ? -1 : 0;
}

static int
collect(const json_t *rec, void *arg)
{
	json_array_append((json_t *)arg, (json_t *)rec);
	return 0;
}

/* One line of a table cell: control characters would break the columns. */
static void
put_cell(const char *s, int width)
{
	int n = 0;

	for (; s && *s; s++, n++)
		putchar((unsigned char)*s < ' ' ? ' ' : *s);
	if (width)
		printf("%*s", width - n + 2, "");
}

static void
print_table(json_t *rows)
{
	static const char *const head[] = { "ID", "STATUS", "SEVERITY",
	    "UPDATED", "TITLE" };
	int w[4] = { 2, 6, 8, 20 };
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		const char *id = record_str(r, "id");
		const char *st = record_str(r, "status");
		const char *sev = record_str(r, "severity");
		if (id && (int)strlen(id) > w[0])
			w[0] = (int)strlen(id);
		if (st && (int)strlen(st) > w[1])
			w[1] = (int)strlen(st);
		if (sev && (int)strlen(sev) > w[2])
			w[2] = (int)strlen(sev);
	}
	for (int c = 0; c < 5; c++)
		put_cell(head[c], c < 4 ? w[c] : 0);
	putchar('\n');
	json_array_foreach(rows, i, r) {
		const char *at = json_string_value(json_object_get(
		    json_object_get(r, "store"), "stored_at"));
		char upd[32] = "-";
		/* To the second: enough for people, and it fits. */
		if (at && strlen(at) >= 19)
			snprintf(upd, sizeof upd, "%.19sZ", at);
		put_cell(record_str(r, "id"), w[0]);
		put_cell(record_str(r, "status") ? record_str(r, "status") :
		    "-", w[1]);
		put_cell(record_str(r, "severity") ?
		    record_str(r, "severity") : "-", w[2]);
		put_cell(upd, w[3]);
		put_cell(record_str(r, "title"), 0);
		putchar('\n');
	}
}

static void
print_stats_table(const json_t *o, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		char name[128];
		snprintf(name, sizeof name, "%s%s", prefix, key);
		if (json_is_object(v)) {
			char p[160];
			snprintf(p, sizeof p, "%s.", name);
			print_stats_table(v, p);
		} else if (json_is_null(v)) {
			printf("%-24s -\n", name);
		} else if (json_is_real(v)) {
			printf("%-24s %.3f\n", name, json_real_value(v));
		} else {
			printf("%-24s %lld\n", name,
			    (long long)json_integer_value(v));
		}
	}
}

static const char *
whoami(const char *by)
{
	const char *u = by ? by : getenv("USER");
	struct passwd *pw;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if ((!u || !*u) && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	return u && *u ? u : "unknown";
}

static int
subcommand(struct store *st, const struct opts *o)
{
	const char *cmd = o->cmd, *id = o->nargs ? o->args[0] : NULL;
	char err[1024];
	json_t *rec = NULL;
	int rc;

	if (strcmp(cmd, "get") == 0) {
		rc = store_get(st, id, &rec, err, sizeof err);
	} else if (strcmp(cmd, "ack") == 0) {
		rc = store_ack(st, id, whoami(o->by), &rec, err, sizeof err);
	} else if (strcmp(cmd, "resolve") == 0) {
		rc = store_resolve(st, id, o->resolution, whoami(o->by), &rec,
		    err, sizeof err);
	} else if (strcmp(cmd, "events") == 0) {
		rc = store_events(st, id, print_rec, NULL, err, sizeof err);
	} else if (strcmp(cmd, "list") == 0) {
		struct store_filter f = { o->status, o->severity,
		    o->since[0] ? o->since : NULL, o->limit };
		int table = o->format ? strcmp(o->format, "table") == 0 :
		    isatty(STDOUT_FILENO);
		json_t *rows = json_array();
		rc = store_list(st, &f, table ? collect : print_rec,
		    table ? (void *)rows : NULL, err, sizeof err);
		if (rc == 0 && table)
			print_table(rows);
		json_decref(rows);
	} else if (strcmp(cmd, "stats") == 0) {
		rc = store_stats(st, o->since[0] ? o->since : NULL, &rec, err,
		    sizeof err);
		if (rc == 0 && o->format && strcmp(o->format, "table") == 0) {
			print_stats_table(rec, "");
			json_decref(rec);
			rec = NULL;
		}
	} else {	/* migrate */
		int applied, version;
		rc = store_migrate(st, &applied, &version, err, sizeof err);
		if (rc == 0)
			rec = json_pack("{s:s, s:i, s:i}", "backend",
			    store_backend(st), "schema_version", version,
			    "applied", applied);
	}
	if (rc == STORE_NOTFOUND) {
		log_error(NULL, "%s: no such incident", id);
		return EX_DATAERR;
	}
	if (rc < 0) {
		log_error(NULL, "%s %s: %s", cmd, store_where(st), err);
		return EX_IOERR;
	}
	if (rec && strcmp(cmd, "stats") == 0) {
		/* Means keep a few decimals, not %.17g noise. */
		if (json_dumpf(rec, stdout, JSON_COMPACT |
		    JSON_REAL_PRECISION(15)) == 0)
			putchar('\n');
	} else if (rec) {
		/* A record goes out as exact as it came in. */
		record_write(stdout, rec);
	}
	json_decref(rec);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		if (errno != EPIPE)
			log_error(NULL, "write: %s", strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o;
	struct store *st;
	char err[1024];
	int rc, flags = 0;

	log_init("inc-store");
	parse_opts(argc, argv, &o);
	if (o.quiet) {
		setenv("INC_LOG_LEVEL", "error", 1);
		log_init("inc-store");
	}
	if (config_load(err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	sig_setup();
	if (o.dry_run)
		flags |= STORE_DRY_RUN;
	if (o.cmd && strcmp(o.cmd, "migrate") == 0)
		flags |= STORE_NO_MIGRATE;
	if (store_open(&st, o.db, flags, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_UNAVAILABLE;
	}
	rc = o.cmd ? subcommand(st, &o) : filter(st, &o);
	store_close(st);
	return rc;
}
