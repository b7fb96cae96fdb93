/*
 * inc-call: ring the person on call about each serious incident, and the
 * next one when nobody acknowledges (issue 7).
 *
 * As a stage, each open incident at or above --min-severity gets a Twilio
 * call to the first number of INC_ONCALL that says what happened and asks
 * for a key: 1 acknowledges, 2 rings the next person, 9 repeats (the
 * Twilio routes of inc-httpd take the answer).  --escalate, run by a timer,
 * rings the next number about every open incident whose last call went
 * unacknowledged for the ack timeout.  Whom was rung is kept in the
 * incident's timeline before dialling (lib/oncall.h), so a replayed record
 * or a second timer never rings the same person twice for one step.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "cli.h"
#include "config.h"
#include "log.h"
#include "oncall.h"
#include "record.h"
#include "rfc3339.h"
#include "sig.h"
#include "store.h"
#include "twilio.h"
#include "version.h"

#define USAGE \
	"usage: inc-call [--min-severity level] [-d url] [--dry-run] " \
	"[--strict] [-q]\n" \
	"                [--reject file] [--now time]\n" \
	"       inc-call --escalate [-d url] [--dry-run] [--strict] [-q] " \
	"[--now time]\n" \
	"       inc-call --to number --incident id --message text " \
	"[--dry-run]\n" \
	"       inc-call --check\n"

#define STAGE "inc-call"

struct opts {
	struct cli_opts cli;
	int min_sev, escalate, check;
	const char *db, *now, *to, *incident, *message;
};

struct caller {
	const struct opts *o;
	struct record_stream *s;
	struct twilio *tw;
	struct oncall oc;
	struct store *st;
	int configured;
	int64_t now;
	const char *skipped;	/* why nothing is called, or NULL */
};

static const char *const levels[] = { "LOW", "MEDIUM", "HIGH", NULL };

static int
level(const char *s)
{
	for (int i = 0; s && levels[i]; i++)
		if (strcasecmp(s, levels[i]) == 0)
			return i;
	return -1;
}

/* The store, opened when the first call needs it. */
static struct store *
store(struct caller *c, char *err, size_t errlen)
{
	if (!c->st && store_open(&c->st, c->o->db, c->o->cli.dry_run ?
	    STORE_DRY_RUN : 0, err, errlen) < 0)
		c->st = NULL;
	c->oc.st = c->st;
	return c->st;
}

static void
print_dry(json_t *dry)
{
	char *d = dry ? json_dumps(dry, JSON_COMPACT) : NULL;

	if (d)
		fprintf(stderr, "%s\n", d);
	free(d);
	json_decref(dry);
}

/* A call made on an earlier pass: its record carries the step. */
static int
called_before(const json_t *rec)
{
	const json_t *call = json_object_get(rec, "call");

	return json_object_get(call, "step") &&
	    !json_is_true(json_object_get(call, "dry_run"));
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct caller *c = arg;
	const char *kind = record_str(rec, "kind");
	const char *status = record_str(rec, "status");
	const char *id = record_str(rec, "id");
	char err[1024];
	json_t *call = NULL, *dry = NULL;
	int rc;

	if ((kind && strcmp(kind, "incident") != 0) || called_before(rec))
		return RECORD_PASS;
	if (c->skipped) {
		if (!json_object_get(rec, "call"))
			json_object_set_new(rec, "call", json_pack("{s:s}",
			    "skipped", c->skipped));
		return RECORD_PASS;
	}
	if ((status && strcmp(status, "open") != 0) ||
	    level(record_str(rec, "severity")) < c->o->min_sev)
		return RECORD_PASS;
	if (!id) {
		record_add_error(rec, STAGE, "no id: nobody called");
		return RECORD_PASS;
	}
	/* Without the timeline a replay would ring again: no call then. */
	if (!c->o->cli.dry_run && !store(c, err, sizeof err)) {
		record_add_error(rec, STAGE, "store: %s: nobody called, since "
		    "the call could not be remembered", err);
		return RECORD_PASS;
	}
	rc = oncall_ring(&c->oc, rec, 1, c->now, &call, &dry, err,
	    sizeof err);
	print_dry(dry);
	if (call)
		json_object_set_new(rec, "call", call);
	if (rc < 0)
		record_add_error(rec, STAGE, "call: %s", err);
	else if (rc == 0)
		log_info(id, "step 1 was rung before: not again");
	else if (!c->o->cli.dry_run)
		log_info(id, "rang step 1 (%s): %s", record_str(call, "to"),
		    record_str(call, "sid"));
	return RECORD_PASS;
}

/* --escalate */

static int
collect(const json_t *rec, void *arg)
{
	json_array_append((json_t *)arg, (json_t *)rec);
	return 0;
}

static int
escalate(struct caller *c)
{
	struct store_filter f = { .status = "open" };
	char err[1024];
	json_t *open = json_array(), *rec;
	size_t i;
	int failed = 0;

	if (!store(c, err, sizeof err) || store_list(c->st, &f, collect,
	    open, err, sizeof err) < 0) {
		log_error(NULL, "store: %s", err);
		json_decref(open);
		return EX_UNAVAILABLE;
	}
	json_array_foreach(open, i, rec) {
		const char *id = record_str(rec, "id");
		json_t *call, *dry, *out;
		int rc;

		if (sig_stop)
			break;
		rc = oncall_escalate(&c->oc, rec, c->now, NULL, &call, &dry,
		    err, sizeof err);
		print_dry(dry);
		if (!call) {
			if (rc < 0) {
				log_error(id, "%s", err);
				failed = 1;
			} else
				log_debug(id, "no escalation: %s", err);
			continue;
		}
		if (rc < 0) {
			log_error(id, "step %lld: %s", (long long)
			    json_integer_value(json_object_get(call, "step")),
			    err);
			failed = 1;
		} else if (rc > 0 && !c->o->cli.dry_run)
			log_info(id, "escalated to step %lld (%s): %s",
			    (long long)json_integer_value(json_object_get(call,
			    "step")), record_str(call, "to"), record_str(call,
			    "sid"));
		out = json_copy(rec);
		json_object_set(out, "call", call);
		if (oncall_save(&c->oc, rec, call, err, sizeof err) < 0) {
			log_error(id, "store: %s", err);
			failed = 1;
		}
		json_object_del(out, "embedding");
		if (record_write(stdout, out) < 0 || fflush(stdout) != 0) {
			json_decref(out);
			json_decref(call);
			json_decref(open);
			return EX_IOERR;
		}
		json_decref(out);
		json_decref(call);
	}
	json_decref(open);
	return failed && c->o->cli.strict ? 1 : 0;
}

/* One-off: --to --incident --message */
static int
oneoff(struct caller *c)
{
	char err[1024];
	json_t *call, *dry, *out;
	int rc;

	if (!c->o->cli.dry_run && !store(c, err, sizeof err))
		log_warn(c->o->incident, "store: %s: the call is not recorded "
		    "in the timeline", err);
	rc = oncall_oneoff(&c->oc, c->o->incident, c->o->to, NULL,
	    c->o->message, c->now, &call, &dry, err, sizeof err);
	print_dry(dry);
	if (rc < 0) {
		const char *st = record_str(call, "status");
		int unsure = st && strcmp(st, "unknown") == 0;
		log_error(c->o->incident, "%s", err);
		json_decref(call);
		return strstr(err, "unreachable") ? EX_UNAVAILABLE : unsure ?
		    EX_TEMPFAIL : EX_DATAERR;
	}
	out = json_pack("{s:s, s:o}", "id", c->o->incident, "call", call);
	if (record_write(stdout, out) < 0) {
		json_decref(out);
		return EX_IOERR;
	}
	json_decref(out);
	return 0;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_CHECK = 256, O_NOW, O_TO, O_INCIDENT, O_MESSAGE };
	static const struct option longopts[] = {
		{ "min-severity", required_argument, NULL, 's' },
		{ "escalate", no_argument, NULL, 'e' },
		{ "db", required_argument, NULL, 'd' },
		CLI_OPT_DRY_RUN,
		CLI_OPT_STRICT,
		CLI_OPT_QUIET,
		CLI_OPT_REJECT,
		{ "check", no_argument, NULL, O_CHECK },
		{ "now", required_argument, NULL, O_NOW },
		{ "to", required_argument, NULL, O_TO },
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "message", required_argument, NULL, O_MESSAGE },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->min_sev = -1;
	while ((c = getopt_long(argc, argv, "s:ed:nqhV", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 's':
			if ((o->min_sev = level(optarg)) < 0)
				cli_usage_error(USAGE,
				    "--min-severity: LOW, MEDIUM or "
				    "HIGH: ", optarg);
			break;
		case 'e':
			o->escalate = 1;
			break;
		case 'd':
			o->db = optarg;
			break;
		case O_CHECK:
			o->check = 1;
			break;
		case O_NOW:
			o->now = optarg;
			break;
		case O_TO:
			o->to = optarg;
			break;
		case O_INCIDENT:
			o->incident = optarg;
			break;
		case O_MESSAGE:
			o->message = optarg;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
	if ((o->to || o->incident || o->message) &&
	    !(o->to && o->incident && o->message))
		cli_usage_error(USAGE,
		    "--to, --incident and --message go together", "");
	if (o->to && !oncall_number_valid(o->to))
		cli_usage_error(USAGE,
		    "--to: an E.164 number (+ and 8 to 15 digits)",
		    "");
	if (o->escalate + o->check + (o->to != NULL) > 1)
		cli_usage_error(USAGE,
		    "--escalate, --check and --to exclude each other",
		    "");
}

/* The clock: --now, else INC_NOW (for tests and scripts), else the
 * system's. */
static int
clock_now(const struct opts *o, int64_t *now)
{
	const char *t = o->now ? o->now : config_get("INC_NOW", NULL);

	if (!t) {
		*now = rfc3339_usec_now();
		return 0;
	}
	if (rfc3339_parse(t, now) < 0) {
		log_error(NULL, "%s: not an RFC 3339 time: %s", o->now ?
		    "--now" : "INC_NOW", t);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct record_stream s = { .stage = STAGE };
	struct caller c = { .o = &o, .s = &s };
	char err[1024];
	long sev;
	int rc = 0;

	log_init("inc-call");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (o.cli.quiet)
		config_set("INC_LOG_LEVEL", "error");
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (o.min_sev < 0) {
		const char *m = config_get("INC_CALL_MIN_SEVERITY", "HIGH");
		if ((sev = level(m)) < 0) {
			log_error(NULL, "INC_CALL_MIN_SEVERITY: LOW, MEDIUM or "
			    "HIGH");
			return EX_CONFIG;
		}
		o.min_sev = (int)sev;
	}
	if (clock_now(&o, &c.now) < 0)
		return EX_CONFIG;
	c.tw = twilio_new(o.cli.dry_run, &c.configured, err, sizeof err);
	if (!c.tw && c.configured) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (oncall_init(&c.oc, c.tw, NULL, o.cli.dry_run, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		twilio_free(c.tw);
		return EX_CONFIG;
	}
	if (!c.configured)
		c.skipped = "not configured";
	else if (c.oc.n == 0 && !o.to && !o.check)
		c.skipped = "not configured";
	if (o.check) {
		if (!c.configured) {
			log_error(NULL, "Twilio is not configured "
			    "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)");
			rc = EX_CONFIG;
		} else if (twilio_check(c.tw, err, sizeof err) < 0) {
			log_error(NULL, "%s", err);
			rc = EX_UNAVAILABLE;
		} else if (!o.cli.quiet)
			printf("Twilio accepts the credentials of "
			    "TWILIO_ACCOUNT_SID\n");
		goto out;
	}
	if (c.configured && (!c.skipped || o.to)) {
		if (!config_get("TWILIO_FROM", NULL) || !c.oc.public_url[0]) {
			log_error(NULL, "%s is not set: %s",
			    !config_get("TWILIO_FROM", NULL) ? "TWILIO_FROM" :
			    "INC_PUBLIC_URL", !config_get("TWILIO_FROM",
			    NULL) ? "no number to call from" : "Twilio could "
			    "not tell which key was pressed");
			rc = EX_CONFIG;
			goto out;
		}
	}
	if (o.to) {
		if (!c.configured) {
			log_error(NULL, "Twilio is not configured "
			    "(TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN)");
			rc = EX_CONFIG;
		} else
			rc = oneoff(&c);
		goto out;
	}
	if (o.escalate) {
		if (c.skipped)
			log_info(NULL, "nothing to escalate: %s", c.skipped);
		else
			rc = escalate(&c);
		goto out;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	s.out = stdout;
	rc = record_stream_run(&s, 0, one, &c);
out:
	cli_stream_close(&s);
	oncall_free(&c.oc);
	twilio_free(c.tw);
	if (c.st)
		store_close(c.st);
	return rc;
}
