/*
 * inc-jira: a Jira issue for each incident, once, and a comment on it when
 * the incident is acknowledged and when it is resolved.
 *
 * Idempotent because a crash replays records through the whole pipe
 * (DESIGN §4): a record that carries jira.key has its issue; one that does
 * not is first looked for by its label inc-<id> (protocols.md §2.3), and
 * only then created.  A status comment is posted when the record's status
 * is ahead of jira.status, after looking for the marker line an earlier
 * pass may have left in the issue's comments.  Several records are in
 * flight at once; they come out in input order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "config.h"
#include "http.h"
#include "jira.h"
#include "log.h"
#include "record.h"
#include "sig.h"
#include "version.h"

#define USAGE \
	"usage: inc-jira [--api 2|3] [--min-severity LOW|MEDIUM|HIGH] " \
	"[--check]\n" \
	"                [--dry-run] [--strict] [--reject file] [-q]\n"

#define STAGE "inc-jira"
#define MAX_PAGES 20		/* of a search or of comments, per record */
#define CACHE_MAX 4096		/* issues remembered by incident id */

struct opts {
	struct cli_opts cli;
	int api, min_rank, check;
};

enum step { S_DONE, S_SEARCH, S_CREATE, S_COMMENTS, S_COMMENT };

/* A record on its way through the steps. */
struct job {
	json_t *rec;
	enum step step;
	const char *want;	/* the status to comment, or NULL */
	char *next;		/* the search's nextPageToken */
	long start_at;		/* the comments' next page */
	int pages;
	int no_priority;	/* the project refused our priority */
	int fresh;		/* created now: it has no comment yet */
	const char *type_used;	/* the issue type of the last create */
	int work;		/* 0: only waiting for its turn to go out */
	int tries;		/* creates or comments sent */
	long waited;		/* ms slept before them */
	int64_t due;		/* not before this (clock_ms()) */
	json_t *jira;		/* the key being built */
	char label[300];
};

struct stage {
	struct opts *o;
	struct record_stream *s;
	struct jira *j;		/* NULL: not configured */
	long concurrency, attempts;
	struct job *jobs;
	size_t n, cap;
	/* Issues made or found in this run, by incident id: a second record
	 * with the same id does not wait for the search to see the first. */
	json_t *cache;
	int warned_type, warned_priority;
};

static const char *const statuses[] = { "open", "acknowledged", "resolved" };

static int
status_rank(const char *s)
{
	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, statuses[i]) == 0)
			return i;
	return s ? -1 : 0;
}

/* Jira keys are PROJECT-NUMBER; anything else must not reach a path. */
static int
valid_key(const char *k)
{
	const char *p = k;

	if (!k || !((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
		return 0;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	if (*p++ != '-' || !(*p >= '0' && *p <= '9'))
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	return *p == '\0' && p - k < 64;
}

static void
fail(struct stage *st, struct job *jb, const char *why)
{
	const char *id = record_str(jb->rec, "id");

	record_add_error(jb->rec, STAGE, "%s", why);
	st->s->n_failed++;
	log_warn(id, "%s", why);
	jb->step = S_DONE;
}

static void
print_dry_run(const struct http_response *r)
{
	char *d = json_dumps(r->dry_run, JSON_COMPACT);

	if (d)
		fprintf(stderr, "%s\n", d);
	free(d);
}

/* The issue is known: put it on the job with the status commented. */
static void
take_issue(struct stage *st, struct job *jb, const json_t *issue,
    const char *status)
{
	const char *key = json_string_value(json_object_get(issue, "key"));
	char *url = jira_issue_url(st->j, key);

	json_decref(jb->jira);
	jb->jira = json_pack("{s:s, s:O, s:s, s:s}", "key", key, "id",
	    json_object_get(issue, "id"), "url", url ? url : "", "status",
	    status);
	free(url);
}

static struct http_request *
next_request(struct stage *st, struct job *jb)
{
	const char *key = json_string_value(json_object_get(jb->jira, "key"));
	struct http_request *req = NULL;

	/* A dry run made no issue: its comment goes to a placeholder. */
	if (!key)
		key = "NEW-0";
	switch (jb->step) {
	case S_SEARCH:
		return jira_search_request(st->j, jb->label, jb->next);
	case S_CREATE:
		jb->type_used = jira_issue_type(st->j);
		req = jira_create_request(st->j, jb->rec, !jb->no_priority);
		break;
	case S_COMMENTS:
		return jira_comments_request(st->j, key, jb->start_at);
	case S_COMMENT:
		req = jira_comment_request(st->j, key, jb->rec, jb->want);
		break;
	case S_DONE:
		return NULL;
	}
	/* lib/http would send a POST again after a timeout or a 5xx, when
	 * Jira may have done it: see again_later() for the retries. */
	if (req)
		http_request_set_attempts(req, 1);
	jb->tries++;
	return req;
}

/*
 * A create or a comment that failed in a way worth another try: a 429 or
 * no connection (nothing was done: send it again), or a 5xx or an answer
 * lost (it may have been done: look first, with the search or the
 * comments).  Returns 1 when the job goes on later, 0 when it is over.
 */
static int
again_later(struct stage *st, struct job *jb, const struct http_response *r)
{
	int safe = r->status == 429 || r->err == -ECONNREFUSED ||
	    r->err == -EHOSTUNREACH;
	int unsure = !safe && (r->status >= 500 || (r->err && r->err !=
	    -ENOMEM && r->err != -EINVAL));
	long d;

	if (!safe && !unsure)
		return 0;
	d = r->status == 429 && r->retry_after_ms >= 0 ? r->retry_after_ms :
	    http_backoff_ms(HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS,
	    jb->tries, (double)rand() / RAND_MAX);
	if (jb->tries >= st->attempts || jb->waited + d > 60000)
		return 0;
	jb->waited += d;
	jb->due = clock_ms() + d;
	if (unsure) {
		jb->step = jb->step == S_CREATE ? S_SEARCH : S_COMMENTS;
		free(jb->next);
		jb->next = NULL;
		jb->start_at = 0;
		jb->pages = 0;
	}
	return 1;
}

/* After the issue is known: comment when the status asks for it. */
static void
then_comment(struct job *jb)
{
	jb->step = !jb->want ? S_DONE : jb->fresh ? S_COMMENT : S_COMMENTS;
	jb->start_at = 0;
	jb->pages = 0;
	jb->tries = 0;
	jb->waited = 0;
}

/* How many tries a create or a comment took, after the reason. */
static void
tries_said(char *why, size_t len, int tries)
{
	size_t n = strlen(why);

	if (tries > 1 && n < len)
		snprintf(why + n, len - n, " (%d tries)", tries);
}

static void
on_search(struct stage *st, struct job *jb, const struct http_response *r)
{
	json_t *issue;
	char *next, why[600];

	switch (jira_search_answer(r, jb->label, &issue, &next, why,
	    sizeof why)) {
	case JIRA_SEARCH_FOUND:
		take_issue(st, jb, issue, "open");
		json_decref(issue);
		if (!st->o->cli.quiet)
			log_info(record_str(jb->rec, "id"), "%s found "
			    "by its label %s", json_string_value(
			    json_object_get(jb->jira, "key")), jb->label);
		then_comment(jb);
		break;
	case JIRA_SEARCH_MORE:
		free(jb->next);
		jb->next = next;
		if (++jb->pages >= MAX_PAGES)
			fail(st, jb, "search: more than 20 pages");
		break;
	case JIRA_SEARCH_NONE:
		jb->step = S_CREATE;
		break;
	case JIRA_SEARCH_ERROR: {
		char msg[1024];

		snprintf(msg, sizeof msg, "search for label %s: %s",
		    jb->label, why);
		fail(st, jb, msg);
		break;
	}
	}
}

static void
on_create(struct stage *st, struct job *jb, const struct http_response *r)
{
	const char *id = record_str(jb->rec, "id");
	json_t *issue;
	unsigned blame;
	char why[600], msg[1024];
	int again = 0;

	if (jira_create_answer(r, &issue, &blame, why, sizeof why) == 0) {
		take_issue(st, jb, issue, "open");
		json_decref(issue);
		jb->fresh = 1;
		if (!st->o->cli.quiet)
			log_info(id, "created %s", json_string_value(
			    json_object_get(jb->jira, "key")));
		then_comment(jb);
		return;
	}
	if (again_later(st, jb, r))
		return;
	/* A project without the issue type, or without a priority field on
	 * its create screen, names the field in a 400 (§2.2): ask again
	 * without what it refused. */
	if (blame & JIRA_BLAME_ISSUETYPE) {
		if (jb->type_used != jira_issue_type(st->j) ||
		    jira_use_fallback_type(st->j) == 0) {
			if (!st->warned_type++)
				log_warn(NULL, "the project refused issue "
				    "type %s (%s): using %s", jb->type_used,
				    why, jira_issue_type(st->j));
			again = 1;
		}
	}
	if ((blame & JIRA_BLAME_PRIORITY) && !jb->no_priority) {
		jb->no_priority = 1;
		if (!st->warned_priority++)
			log_warn(NULL, "the project refused the "
			    "priority (%s): issues go without one", why);
		again = 1;
	}
	if (again && !(blame & JIRA_BLAME_OTHER))
		return;		/* S_CREATE again */
	tries_said(why, sizeof why, jb->tries);
	snprintf(msg, sizeof msg, "create issue: %s", why);
	fail(st, jb, msg);
}

static void
on_comments(struct stage *st, struct job *jb, const struct http_response *r)
{
	char why[600], msg[1024];
	long next;
	int found;

	if (jira_comments_answer(r, record_str(jb->rec, "id"), jb->want,
	    &found, &next, why, sizeof why) < 0) {
		snprintf(msg, sizeof msg, "read the comments of %s: %s",
		    json_string_value(json_object_get(jb->jira, "key")), why);
		fail(st, jb, msg);
	} else if (found) {
		json_object_set_new(jb->jira, "status", json_string(jb->want));
		jb->step = S_DONE;
	} else if (next >= 0 && ++jb->pages < MAX_PAGES) {
		jb->start_at = next;
	} else {
		jb->step = S_COMMENT;
	}
}

static void
on_comment(struct stage *st, struct job *jb, const struct http_response *r)
{
	char why[600], msg[1024];

	if (jira_answer_error(r, 201, why, sizeof why) < 0) {
		if (again_later(st, jb, r))
			return;
		tries_said(why, sizeof why, jb->tries);
		snprintf(msg, sizeof msg, "comment on %s: %s", json_string_value(
		    json_object_get(jb->jira, "key")), why);
		fail(st, jb, msg);
		return;
	}
	json_object_set_new(jb->jira, "status", json_string(jb->want));
	if (!st->o->cli.quiet)
		log_info(record_str(jb->rec, "id"), "%s commented %s",
		    json_string_value(json_object_get(jb->jira, "key")),
		    jb->want);
	jb->step = S_DONE;
}

/* A dry run answers nothing: every step goes on as if nothing existed. */
static void
on_dry_run(struct job *jb)
{
	switch (jb->step) {
	case S_SEARCH:
		jb->step = S_CREATE;
		break;
	case S_CREATE:
		jb->fresh = 1;
		then_comment(jb);
		break;
	case S_COMMENTS:
		jb->step = S_COMMENT;
		break;
	default:
		jb->step = S_DONE;
	}
}

/* Run every job to its end, then write the records in input order. */
static void
run_jobs(struct stage *st)
{
	struct http_request **reqs = calloc(st->n ? st->n : 1, sizeof *reqs);
	size_t *who = calloc(st->n ? st->n : 1, sizeof *who);

	for (;;) {
		int64_t now = clock_ms(), first = INT64_MAX;
		size_t m = 0;

		for (size_t i = 0; reqs && who && i < st->n; i++) {
			struct job *jb = &st->jobs[i];
			if (jb->step == S_DONE)
				continue;
			/* A job waiting for its retry sits this round out. */
			if (jb->due > now) {
				if (jb->due < first)
					first = jb->due;
				continue;
			}
			if (!(reqs[m] = next_request(st, jb))) {
				fail(st, jb, "out of memory");
				continue;
			}
			who[m++] = i;
		}
		if (m == 0 && first == INT64_MAX)
			break;
		if (m == 0) {
			struct timespec ts = { (first - now) / 1000,
			    (first - now) % 1000 * 1000000 };
			nanosleep(&ts, NULL);
			continue;
		}
		http_run_all(jira_http(st->j), reqs, m);
		for (size_t k = 0; k < m; k++) {
			struct job *jb = &st->jobs[who[k]];
			const struct http_response *r =
			    http_request_response(reqs[k]);

			if (r->dry_run) {
				print_dry_run(r);
				on_dry_run(jb);
			} else if (jb->step == S_SEARCH) {
				on_search(st, jb, r);
			} else if (jb->step == S_CREATE) {
				on_create(st, jb, r);
			} else if (jb->step == S_COMMENTS) {
				on_comments(st, jb, r);
			} else {
				on_comment(st, jb, r);
			}
			http_request_free(reqs[k]);
		}
	}
	for (size_t i = 0; i < st->n; i++) {
		struct job *jb = &st->jobs[i];
		const char *id = record_str(jb->rec, "id");

		if (jb->step != S_DONE)		/* out of memory above */
			fail(st, jb, "out of memory");
		if (st->o->cli.dry_run && jb->work && !jb->jira)
			jb->jira = json_object();
		if (jb->jira) {
			if (st->o->cli.dry_run)
				json_object_set_new(jb->jira, "dry_run",
				    json_true());
			else if (id && json_object_get(jb->jira, "key")) {
				if (json_object_size(st->cache) >= CACHE_MAX)
					json_object_clear(st->cache);
				json_object_set(st->cache, id, jb->jira);
			}
			json_object_set(jb->rec, "jira", jb->jira);
			json_decref(jb->jira);
		}
		free(jb->next);
		record_stream_emit(st->s, jb->rec);
		json_decref(jb->rec);
	}
	st->n = 0;
	free(reqs);
	free(who);
}

static void
flush_jobs(void *arg)
{
	run_jobs(arg);
}

static struct job *
add_job(struct stage *st, json_t *rec)
{
	struct job *jb;

	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		struct job *p = realloc(st->jobs, cap * sizeof *p);
		if (!p)
			return NULL;
		st->jobs = p;
		st->cap = cap;
	}
	jb = &st->jobs[st->n++];
	*jb = (struct job){ .rec = json_incref(rec), .step = S_DONE };
	return jb;
}

/*
 * A record with nothing to do waits behind those that have work.  errs is
 * its errors[] count on arrival: the stream loop counts a failure only for
 * the records it writes itself.
 */
static enum record_fate
pass(struct stage *st, json_t *rec, size_t errs)
{
	if (st->n == 0)
		return RECORD_PASS;
	if (!add_job(st, rec)) {
		run_jobs(st);
		return RECORD_PASS;
	}
	if (record_error_count(rec) > errs)
		st->s->n_failed++;
	return RECORD_TAKEN;
}

static void
skipped(json_t *rec, const char *why)
{
	json_object_set_new(rec, "jira", json_pack("{s:s}", "skipped", why));
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct stage *st = arg;
	const char *kind = record_str(rec, "kind"), *id = record_str(rec, "id");
	json_t *have = json_object_get(rec, "jira"), *known;
	const char *key = json_string_value(json_object_get(have, "key"));
	const char *want = NULL, *js;
	struct job *jb;
	size_t errs = record_error_count(rec);
	int sev;

	/* Knowledge-base documents are not incidents. */
	if (kind && strcmp(kind, "incident") != 0)
		return pass(st, rec, errs);
	if (!st->j) {
		if (!key)
			skipped(rec, "not configured");
		return pass(st, rec, errs);
	}
	if (!id) {
		record_add_error(rec, STAGE, "the record has no id to "
		    "label its issue with");
		return pass(st, rec, errs);
	}
	/* A record with the same id in flight goes first: its issue is what
	 * this one will find. */
	for (size_t i = 0; i < st->n; i++)
		if (st->jobs[i].work && strcmp(record_str(st->jobs[i].rec,
		    "id"), id) == 0) {
			run_jobs(st);
			break;
		}
	known = json_object_get(st->cache, id);
	if (known && (!key || strcmp(key, json_string_value(
	    json_object_get(known, "key"))) == 0)) {
		if (!key || status_rank(json_string_value(json_object_get(
		    known, "status"))) > status_rank(json_string_value(
		    json_object_get(have, "status"))))
			have = known;
		key = json_string_value(json_object_get(have, "key"));
	}
	if (key && !valid_key(key)) {
		record_add_error(rec, STAGE, "jira.key is not an issue "
		    "key: %.80s", key);
		return pass(st, rec, errs);
	}
	if (!key) {
		sev = jira_severity_rank(record_str(rec, "severity"));
		/* A record nobody classified gets an issue unless a floor
		 * was asked for. */
		if (sev < 0 ? st->o->min_rank > 0 : sev < st->o->min_rank) {
			static const char *const names[] = { "LOW", "MEDIUM",
			    "HIGH" };
			char why[80];

			snprintf(why, sizeof why, "%s below %s", sev < 0 ?
			    "no severity" : "severity", names[st->o->min_rank]);
			skipped(rec, why);
			return pass(st, rec, errs);
		}
	}
	js = key ? json_string_value(json_object_get(have, "status")) : NULL;
	if (status_rank(record_str(rec, "status")) > status_rank(js ? js :
	    "open"))
		want = record_str(rec, "status");
	if (key && !want) {
		/* Nothing to send; a dry run still marks the record, and a
		 * real pass clears the mark an earlier dry run left. */
		json_t *j = json_deep_copy(have);

		if (st->o->cli.dry_run)
			json_object_set_new(j, "dry_run", json_true());
		else
			json_object_del(j, "dry_run");
		json_object_set_new(rec, "jira", j);
		return pass(st, rec, errs);
	}
	if (!(jb = add_job(st, rec))) {
		record_add_error(rec, STAGE, "out of memory");
		return pass(st, rec, errs);
	}
	jb->work = 1;
	jb->want = want;
	jira_label(id, jb->label, sizeof jb->label);
	if (key) {
		jb->jira = json_deep_copy(have);
		json_object_del(jb->jira, "dry_run");
		if (!json_object_get(jb->jira, "status"))
			json_object_set_new(jb->jira, "status",
			    json_string("open"));
		jb->step = S_COMMENTS;
	} else {
		jb->step = S_SEARCH;
	}
	if (st->n >= (size_t)st->concurrency * 4)
		run_jobs(st);
	return RECORD_TAKEN;
}

static int
parse_api(const char *v)
{
	if (strcmp(v, "2") == 0)
		return 2;
	if (strcmp(v, "3") == 0)
		return 3;
	return 0;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "api", required_argument, NULL, 'a' },
		{ "min-severity", required_argument, NULL, 'm' },
		{ "check", no_argument, NULL, 'c' },
		CLI_OPT_DRY_RUN,
		CLI_OPT_STRICT,
		CLI_OPT_REJECT,
		CLI_OPT_QUIET,
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "nqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (!(o->api = parse_api(optarg)))
				cli_usage_error(USAGE,
				    "--api: 2 or 3: ", optarg);
			break;
		case 'm':
			if ((o->min_rank = jira_severity_rank(optarg)) < 0)
				cli_usage_error(USAGE,
				    "--min-severity: LOW, MEDIUM or "
				    "HIGH: ", optarg);
			break;
		case 'c':
			o->check = 1;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
}

/*
 * The settings of DESIGN §3 and inc-jira(1).  Returns 1 configured, 0 not
 * (missing names what is unset), -1 with err on a bad value.
 */
static int
setup(struct stage *st, char *missing, size_t mlen, char *err, size_t errlen)
{
	/* The names point into these: one for the defaults, one for the
	 * setting that overrides some of them. */
	static char defbuf[128], mapbuf[1024];
	static const char *const need[] = { "JIRA_URL", "JIRA_USER",
	    "JIRA_API_TOKEN", "JIRA_PROJECT" };
	struct jira_settings js = { 0 };
	const char *v, *map;
	long timeout;
	size_t n = 0;
	char why[256];

	if (st->o->min_rank < 0) {
		v = config_get("INC_JIRA_MIN_SEVERITY", "LOW");
		if ((st->o->min_rank = jira_severity_rank(v)) < 0) {
			snprintf(err, errlen, "INC_JIRA_MIN_SEVERITY: LOW, "
			    "MEDIUM or HIGH");
			return -1;
		}
	}
	if (!st->o->api && !(st->o->api = parse_api(config_get("INC_JIRA_API",
	    "2")))) {
		snprintf(err, errlen, "INC_JIRA_API: 2 or 3");
		return -1;
	}
	map = config_get("INC_JIRA_PRIORITY_MAP", JIRA_DEFAULT_PRIORITY_MAP);
	if (jira_priority_map(JIRA_DEFAULT_PRIORITY_MAP, defbuf,
	    sizeof defbuf, js.priority, why, sizeof why) < 0 ||
	    jira_priority_map(map, mapbuf, sizeof mapbuf, js.priority, why,
	    sizeof why) < 0) {
		snprintf(err, errlen, "INC_JIRA_PRIORITY_MAP: %s", why);
		return -1;
	}
	if (config_long("INC_JIRA_TIMEOUT_MS", 10000, 100, 600000, &timeout,
	    err, errlen) < 0 ||
	    config_long("INC_JIRA_ATTEMPTS", 4, 1, 20, &st->attempts, err,
	    errlen) < 0 ||
	    config_long("INC_JIRA_CONCURRENCY", 16, 1, 256, &st->concurrency,
	    err, errlen) < 0)
		return -1;
	missing[0] = '\0';
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!config_get(need[i], NULL) && n < mlen)
			n += (size_t)snprintf(missing + n, mlen - n, "%s%s",
			    n ? ", " : "", need[i]);
	if (n > 0)
		return 0;
	js.url = config_get("JIRA_URL", NULL);
	js.user = config_get("JIRA_USER", NULL);
	js.token = config_get("JIRA_API_TOKEN", NULL);
	js.project = config_get("JIRA_PROJECT", NULL);
	/* A project key is letters, digits and '_' from a letter; anything
	 * else would not survive the JQL it is quoted in. */
	for (v = js.project; *v; v++)
		if (!((*v >= 'A' && *v <= 'Z') || (*v >= 'a' && *v <= 'z') ||
		    (v > js.project && ((*v >= '0' && *v <= '9') ||
		    *v == '_')))) {
			snprintf(err, errlen, "JIRA_PROJECT: not a project "
			    "key: %.40s", js.project);
			return -1;
		}
	js.issue_type = config_get("JIRA_ISSUE_TYPE",
	    JIRA_DEFAULT_ISSUE_TYPE);
	js.fallback_type = config_get("INC_JIRA_FALLBACK_ISSUE_TYPE",
	    JIRA_DEFAULT_FALLBACK_TYPE);
	js.api = st->o->api;
	if (!(st->j = jira_new(&js, why, sizeof why))) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	http_client_set_timeouts(jira_http(st->j), timeout < 5000 ? timeout :
	    5000, timeout);
	http_client_set_retry(jira_http(st->j), (int)st->attempts, 60000,
	    HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS);
	http_client_set_concurrency(jira_http(st->j), (int)st->concurrency);
	http_client_set_dry_run(jira_http(st->j), st->o->cli.dry_run);
	return 1;
}

/* --check: are the credentials good?  Exit status or 0. */
static int
check(struct stage *st)
{
	struct http_request *req = jira_myself_request(st->j);
	const struct http_response *r;
	char why[600];
	int rc = 0;

	if (!req) {
		log_error(NULL, "out of memory");
		return EX_OSERR;
	}
	http_run(jira_http(st->j), req);
	r = http_request_response(req);
	if (r->dry_run) {
		print_dry_run(r);
	} else if (jira_answer_error(r, 200, why, sizeof why) < 0) {
		log_error(NULL, "--check: %s", why);
		rc = EX_UNAVAILABLE;
	} else if (!st->o->cli.quiet) {
		const char *who = json_string_value(json_object_get(r->json,
		    "displayName"));
		log_info(NULL, "signed in%s%s", who ? " as " : "",
		    who ? who : "");
	}
	http_request_free(req);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .min_rank = -1 };
	struct record_stream s = { .stage = STAGE };
	struct stage st = { .o = &o, .s = &s };
	char err[PATH_MAX + 256], missing[128];
	int rc;

	log_init("inc-jira");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if ((rc = setup(&st, missing, sizeof missing, err, sizeof err)) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (rc == 0 && o.check) {
		log_error(NULL, "--check: not configured (%s unset)",
		    missing);
		return EX_CONFIG;
	}
	if (st.j && o.check && (rc = check(&st)) != 0)
		goto out;
	if (!(st.cache = json_object())) {
		rc = EX_OSERR;
		goto out;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	s.out = stdout;
	s.flush = flush_jobs;
	s.flush_arg = &st;
	rc = record_stream_run(&s, 0, one, &st);
out:
	cli_stream_close(&s);
	jira_free(st.j);
	json_decref(st.cache);
	free(st.jobs);
	return rc;
}
