/*
 * inc-slack: give each incident a Slack channel and one message that
 * tells responders what is known, with buttons to acknowledge and
 * resolve; post into that channel when the incident's status moves on.
 *
 * Idempotent by the incident id (DESIGN §4): what an earlier pass made is
 * in the record's `slack` key, which inc-store keeps; when that key was
 * lost in a crash, the channel's name_taken leads back to the channel
 * (protocols.md §1.4) and the message's metadata to the message, so a
 * replay never makes a second one.  Records are handled many at once, in
 * rounds of requests, and written in input order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "record.h"
#include "sig.h"
#include "slack.h"
#include "version.h"

#define USAGE \
	"usage: inc-slack [--min-severity LOW|MEDIUM|HIGH] [--check] " \
	"[--dry-run] [--strict]\n" \
	"                 [--reject file] [-q]\n"

#define STAGE "inc-slack"
#define HISTORY_PAGES 10	/* pages of a channel searched for our message */

struct opts {
	struct cli_opts cli;
	int min_sev, check;
};

enum step {
	S_CREATE, S_LIST, S_INVITE, S_HISTORY, S_POST, S_ANNOUNCE,
	S_UPDATE, S_REPLY, S_DONE
};

/* One record and where it is in its conversation with Slack. */
struct job {
	json_t *rec;
	enum step step;
	const char *id, *status;
	char name[SLACK_NAME_MAX + 1];
	char *channel_id, *channel, *ts, *cursor, *announce_ts;
	int created;		/* the channel was made in this pass */
	int to_announce;	/* below --min-severity: the announce channel
				   is its only place */
	int pages;
	int changed;		/* the slack key is to be written */
	int tries;		/* of the message it posts */
	int lost;		/* a post's answer was lost: it may be there */
	long wait_ms;		/* before its next request */
	struct http_request *req;
	const char *method;
};

struct poster {
	struct opts *o;
	struct record_stream *s;
	struct http_client *http;
	json_t *t_message, *t_update, *t_announce;
	const char *invite, *announce;
	char *invite_buf;
	long concurrency, attempts;
	struct job *j;
	size_t nj, cap;
	unsigned long n_channels, n_messages, n_updates;
};

static const char *sev_names[] = { "LOW", "MEDIUM", "HIGH" };

static int
sev_rank(const char *s)
{
	for (int i = 0; i < 3; i++)
		if (s && strcasecmp(s, sev_names[i]) == 0)
			return i;
	return -1;
}

static char *
dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = dup_or_null(v);
}

/* The record's status as the message shows it. */
static const char *
status_of(const json_t *rec)
{
	const char *s = record_str(rec, "status");

	return s && *s ? s : "open";
}

/* The variables of the templates for one record. */
static json_t *
vars_of(const struct job *jb)
{
	const json_t *rec = jb->rec;
	const json_t *c = json_object_get(rec, "classification");
	const json_t *m = json_array_get(json_object_get(rec, "matches"), 0);
	const json_t *jira = json_object_get(rec, "jira"), *sg;
	const char *title = record_str(rec, "title");
	const char *desc = record_str(rec, "description");
	const char *sev = record_str(rec, "severity");
	const char *st = jb->status, *v;
	char buf[64], line[200];
	json_t *vars = json_object();
	size_t i;

	/* A report without a title is known by its description's first
	 * line. */
	if (!title || !*title) {
		snprintf(line, sizeof line, "%.*s", (int)(desc ? strcspn(desc,
		    "\n") : 0), desc ? desc : "");
		title = *line ? line : jb->id;
	}
	json_object_set_new(vars, "id", json_string(jb->id));
	json_object_set_new(vars, "title", json_string(title));
	json_object_set_new(vars, "description", json_string(desc ? desc :
	    ""));
	json_object_set_new(vars, "severity", json_string(sev ? sev : "?"));
	json_object_set_new(vars, "severity_emoji", json_string(
	    sev_rank(sev) == 2 ? ":red_circle:" : sev_rank(sev) == 1 ?
	    ":large_orange_circle:" : ":large_yellow_circle:"));
	json_object_set_new(vars, "status", json_string(st));
	snprintf(buf, sizeof buf, "%c%s", st[0] >= 'a' && st[0] <= 'z' ?
	    st[0] - 'a' + 'A' : st[0], st[0] ? st + 1 : "");
	json_object_set_new(vars, "status_title", json_string(buf));
	if (strcmp(st, "open") == 0)
		json_object_set_new(vars, "can_ack", json_string("1"));
	if (strcmp(st, "resolved") != 0)
		json_object_set_new(vars, "can_resolve", json_string("1"));
	if ((v = json_string_value(json_object_get(c, "method")))) {
		json_object_set_new(vars, "method", json_string(v));
		snprintf(buf, sizeof buf, "%.2f", json_number_value(
		    json_object_get(c, "confidence")));
		json_object_set_new(vars, "confidence", json_string(buf));
	}
	{
		char *list = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&list, &len);
		int n = 0;
		json_array_foreach(json_object_get(c, "suggestions"), i, sg) {
			if (!json_is_string(sg) || n == 3)
				continue;
			fprintf(f, "%s\xe2\x80\xa2 %s", n++ ? "\n" : "",
			    json_string_value(sg));
		}
		if (f) {
			fclose(f);
			json_object_set_new(vars, "suggestions",
			    json_string(list ? list : ""));
		}
		free(list);
	}
	if ((v = json_string_value(json_object_get(m, "title")))) {
		json_object_set_new(vars, "runbook", json_string(v));
		v = json_string_value(json_object_get(m, "id"));
		json_object_set_new(vars, "runbook_id", json_string(v ? v :
		    ""));
		snprintf(buf, sizeof buf, "%.2f", json_number_value(
		    json_object_get(m, "score")));
		json_object_set_new(vars, "runbook_score", json_string(buf));
	}
	if ((v = json_string_value(json_object_get(jira, "url")))) {
		json_object_set_new(vars, "jira_url", json_string(v));
		json_object_set_new(vars, "jira_label", json_string(
		    json_string_value(json_object_get(jira, "key")) ?
		    json_string_value(json_object_get(jira, "key")) : v));
	}
	if (jb->channel_id)
		json_object_set_new(vars, "channel_id",
		    json_string(jb->channel_id));
	v = strcmp(st, "acknowledged") == 0 ? record_str(rec,
	    "acknowledged_by") : NULL;
	if (v && *v) {
		snprintf(line, sizeof line, " by %.150s", v);
		json_object_set_new(vars, "by", json_string(line));
	}
	if (strcmp(st, "resolved") == 0 && (v = record_str(rec,
	    "resolution")))
		json_object_set_new(vars, "resolution", json_string(v));
	return vars;
}

/* A message body: the template's text and blocks, filled in. */
static json_t *
message(const json_t *tmpl, const struct job *jb)
{
	json_t *vars = vars_of(jb);
	json_t *msg = slack_fill(tmpl, vars);

	json_decref(vars);
	return msg;
}

/* Message metadata: whose message it is and the status it shows. */
static json_t *
metadata(const struct job *jb)
{
	return json_pack("{s:s, s:{s:s, s:s}}", "event_type",
	    SLACK_EVENT_TYPE, "event_payload", "incident_id", jb->id,
	    "status", jb->status);
}

/* The request for a job's step; NULL when the step needs none. */
static struct http_request *
request(struct poster *p, struct job *jb)
{
	struct http_request *req = NULL;
	json_t *a = NULL;

	switch (jb->step) {
	case S_CREATE:
		jb->method = "conversations.create";
		a = json_pack("{s:s}", "name", jb->name);
		break;
	case S_LIST:
		/* Archived channels keep their names: they are looked at
		 * too (protocols.md §1.4). */
		jb->method = "conversations.list";
		a = json_pack("{s:s, s:b, s:i}", "types",
		    "public_channel,private_channel", "exclude_archived", 0,
		    "limit", 1000);
		if (jb->cursor)
			json_object_set_new(a, "cursor",
			    json_string(jb->cursor));
		req = slack_request_form(jb->method, a);
		break;
	case S_INVITE:
		jb->method = "conversations.invite";
		a = json_pack("{s:s, s:s}", "channel", jb->channel_id,
		    "users", p->invite);
		break;
	case S_HISTORY:
		jb->method = "conversations.history";
		a = json_pack("{s:s, s:i, s:b}", "channel", jb->channel_id,
		    "limit", 200, "include_all_metadata", 1);
		if (jb->cursor)
			json_object_set_new(a, "cursor",
			    json_string(jb->cursor));
		req = slack_request_form(jb->method, a);
		break;
	case S_POST:
		jb->method = "chat.postMessage";
		a = message(p->t_message, jb);
		json_object_set_new(a, "channel", json_string(jb->to_announce ?
		    p->announce : jb->channel_id));
		/* What finds the message again after a crash, and what it
		 * shows. */
		json_object_set_new(a, "metadata", metadata(jb));
		break;
	case S_ANNOUNCE:
		jb->method = "chat.postMessage";
		a = message(p->t_announce, jb);
		json_object_set_new(a, "channel", json_string(p->announce));
		break;
	case S_UPDATE:
		jb->method = "chat.update";
		a = message(p->t_message, jb);
		json_object_set_new(a, "channel", json_string(jb->channel_id));
		json_object_set_new(a, "ts", json_string(jb->ts));
		json_object_set_new(a, "metadata", metadata(jb));
		break;
	case S_REPLY:
		jb->method = "chat.postMessage";
		a = message(p->t_update, jb);
		json_object_set_new(a, "channel", json_string(jb->channel_id));
		json_object_set_new(a, "thread_ts", json_string(jb->ts));
		break;
	case S_DONE:
		return NULL;
	}
	if (!req && a)
		req = slack_request(jb->method, a);
	/* A message is sent once by lib/http: see again(). */
	if (req && (jb->step == S_POST || jb->step == S_ANNOUNCE ||
	    jb->step == S_REPLY))
		http_request_set_attempts(req, 1);
	json_decref(a);
	return req;
}

static void
fail(struct poster *p, struct job *jb, const char *why)
{
	record_add_error(jb->rec, STAGE, "%s", why);
	p->s->n_failed++;
}

/*
 * A request that posts a message is tried once by lib/http: were its
 * answer lost (a timeout, a 5xx), a blind resend could post the message
 * twice.  Here, one that surely did not arrive (429, a refused
 * connection) is sent again after its delay; one that may have arrived
 * is looked for in the channel first.  1 when the job was set to try
 * again, 0 to read the answer as it is.
 */
static int
again(struct poster *p, struct job *jb, const struct http_response *r)
{
	int unsent = r->status == 429 || r->err == -ECONNREFUSED ||
	    r->err == -EHOSTUNREACH;
	long d;

	if (!unsent && !r->err && r->status < 500)
		return 0;
	if (++jb->tries >= p->attempts)
		return 0;
	if (unsent) {
		d = r->retry_after_ms >= 0 ? r->retry_after_ms :
		    http_backoff_ms(HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS,
		    jb->tries, (double)rand() / RAND_MAX);
		if (d > HTTP_MAX_WAIT_MS)
			return 0;
		jb->wait_ms = d;
		return 1;
	}
	/* Only the incident's own channel is searched. */
	if (jb->step != S_POST || jb->to_announce)
		return 0;
	jb->lost = 1;
	jb->pages = 0;
	set(&jb->cursor, NULL);
	jb->step = S_HISTORY;
	return 1;
}

/* What comes after the channel is known: invite, find, post. */
static enum step
after_channel(struct poster *p, struct job *jb)
{
	if (p->invite)
		return S_INVITE;
	return jb->created ? S_POST : S_HISTORY;
}

/* The status the message shows differs from the record's: update. */
static enum step
after_message(struct job *jb, const char *shown)
{
	return strcmp(shown, jb->status) != 0 ? S_UPDATE : S_DONE;
}

/* Read the answer to a job's step and choose the next. */
static void
answer(struct poster *p, struct job *jb, const struct http_response *r)
{
	const char *code, *cursor;
	const json_t *ch;
	char why[300];
	int ok;

	if (r->dry_run) {
		char *d = json_dumps(r->dry_run, JSON_COMPACT);
		if (d)
			fprintf(stderr, "%s\n", d);
		free(d);
		/* Nothing answers: go on as if Slack had said yes, with the
		 * channel's name where its id would be. */
		jb->changed = 1;
		if (jb->step == S_CREATE)
			set(&jb->channel_id, jb->name);
		jb->step = jb->step == S_CREATE ? after_channel(p, jb) :
		    jb->step == S_INVITE ? S_POST : jb->step == S_POST &&
		    p->announce && !jb->to_announce ? S_ANNOUNCE :
		    jb->step == S_UPDATE ? S_REPLY : S_DONE;
		if (jb->step == S_HISTORY)
			jb->step = S_POST;
		return;
	}
	if ((jb->step == S_POST || jb->step == S_ANNOUNCE ||
	    jb->step == S_REPLY) && again(p, jb, r))
		return;
	ok = slack_result(r, jb->method, &code, why, sizeof why) == 0;
	switch (jb->step) {
	case S_CREATE:
		if (ok) {
			ch = json_object_get(r->json, "channel");
			set(&jb->channel_id, json_string_value(
			    json_object_get(ch, "id")));
			set(&jb->channel, json_string_value(
			    json_object_get(ch, "name")));
			if (!jb->channel)
				set(&jb->channel, jb->name);
			if (!jb->channel_id) {
				fail(p, jb, "slack: conversations.create: "
				    "no channel id in the answer");
				jb->step = S_DONE;
				return;
			}
			jb->created = 1;
			jb->changed = 1;
			p->n_channels++;
			jb->step = after_channel(p, jb);
		} else if (code && strcmp(code, "name_taken") == 0) {
			jb->step = S_LIST;
		} else {
			fail(p, jb, why);
			jb->step = S_DONE;
		}
		return;
	case S_LIST:
		if (!ok) {
			fail(p, jb, why);
			jb->step = S_DONE;
			return;
		}
		ch = slack_list_find(r->json, jb->name, &cursor);
		if (ch && json_is_true(json_object_get(ch, "is_archived"))) {
			snprintf(why, sizeof why, "slack: channel #%s is "
			    "archived: unarchive it or rename it", jb->name);
			fail(p, jb, why);
			jb->step = S_DONE;
		} else if (ch) {
			set(&jb->channel_id, json_string_value(
			    json_object_get(ch, "id")));
			set(&jb->channel, jb->name);
			set(&jb->cursor, NULL);
			jb->changed = 1;
			jb->step = after_channel(p, jb);
		} else if (cursor) {
			set(&jb->cursor, cursor);
		} else {
			snprintf(why, sizeof why, "slack: conversations.create:"
			    " name_taken, and conversations.list has no "
			    "channel #%s (private, and the bot not in it?)",
			    jb->name);
			fail(p, jb, why);
			jb->step = S_DONE;
		}
		return;
	case S_INVITE:
		/* Already there is what was asked (protocols.md §1.5); a
		 * failed invitation does not keep the message back. */
		if (!ok && !(code && strcmp(code, "already_in_channel") == 0))
			fail(p, jb, why);
		jb->step = jb->created ? S_POST : S_HISTORY;
		return;
	case S_HISTORY:
		if (!ok) {
			fail(p, jb, why);
			jb->step = S_DONE;
			return;
		}
		{
			const json_t *m = slack_history_find(r->json,
			    jb->id);
			const char *ts = json_string_value(json_object_get(m,
			    "ts"));
			const char *shown = json_string_value(json_object_get(
			    json_object_get(json_object_get(m, "metadata"),
			    "event_payload"), "status"));
			const char *next = json_string_value(json_object_get(
			    json_object_get(r->json, "response_metadata"),
			    "next_cursor"));
			if (ts) {
				set(&jb->ts, ts);
				set(&jb->cursor, NULL);
				jb->changed = 1;
				/* The message says in its metadata which
				 * status it shows. */
				jb->step = after_message(jb, shown ? shown :
				    "open");
				/* The post whose answer was lost made it:
				 * what follows a post follows. */
				if (jb->lost) {
					p->n_messages++;
					if (p->announce)
						jb->step = S_ANNOUNCE;
				}
			} else if (next && *next &&
			    ++jb->pages < HISTORY_PAGES) {
				set(&jb->cursor, next);
			} else {
				set(&jb->cursor, NULL);
				jb->step = S_POST;
			}
		}
		return;
	case S_POST:
		if (!ok) {
			fail(p, jb, why);
			jb->step = S_DONE;
			return;
		}
		set(&jb->ts, json_string_value(json_object_get(r->json, "ts")));
		if (jb->to_announce) {
			set(&jb->channel_id, json_string_value(
			    json_object_get(r->json, "channel")));
			set(&jb->channel, p->announce);
		}
		jb->changed = 1;
		p->n_messages++;
		jb->step = p->announce && !jb->to_announce ? S_ANNOUNCE :
		    S_DONE;
		return;
	case S_ANNOUNCE:
		if (ok)
			set(&jb->announce_ts, json_string_value(
			    json_object_get(r->json, "ts")));
		else
			fail(p, jb, why);
		jb->step = S_DONE;
		return;
	case S_UPDATE:
		/* The reply says it too: go on when the edit fails. */
		if (!ok)
			fail(p, jb, why);
		jb->step = S_REPLY;
		return;
	case S_REPLY:
		if (ok) {
			jb->changed = 1;
			p->n_updates++;
		} else {
			fail(p, jb, why);
			/* Shown as before: tried again on the next pass. */
			jb->status = NULL;
		}
		jb->step = S_DONE;
		return;
	case S_DONE:
		return;
	}
}

/* The key an earlier pass left, when it holds a channel. */
static const json_t *
earlier(const json_t *rec)
{
	const json_t *sk = json_object_get(rec, "slack");

	/* A dry run names no channel id: it is not taken for one. */
	if (!json_is_object(sk) || !json_string_value(json_object_get(sk,
	    "channel_id")))
		return NULL;
	return sk;
}

/* Write what the job did into the record's slack key. */
static void
settle(struct poster *p, struct job *jb)
{
	json_t *old = json_object_get(jb->rec, "slack"), *sk;

	if (!jb->changed)
		return;
	if (p->o->cli.dry_run) {
		/* Marked, and what an earlier pass made is kept as it was. */
		sk = earlier(jb->rec) ? json_copy(old) : json_pack("{s:s}",
		    "channel", jb->to_announce ? p->announce : jb->name);
		json_object_set_new(sk, "dry_run", json_true());
		json_object_set_new(jb->rec, "slack", sk);
		return;
	}
	sk = earlier(jb->rec) ? json_copy(old) : json_object();
	json_object_del(sk, "skipped");
	json_object_del(sk, "dry_run");
	if (jb->channel_id)
		json_object_set_new(sk, "channel_id",
		    json_string(jb->channel_id));
	if (jb->channel)
		json_object_set_new(sk, "channel", json_string(jb->channel));
	if (jb->ts)
		json_object_set_new(sk, "ts", json_string(jb->ts));
	if (jb->ts && jb->status)
		json_object_set_new(sk, "status", json_string(jb->status));
	if (jb->announce_ts)
		json_object_set_new(sk, "announce_ts",
		    json_string(jb->announce_ts));
	json_object_set_new(jb->rec, "slack", sk);
}

static void
job_free(struct job *jb)
{
	free(jb->channel_id);
	free(jb->channel);
	free(jb->ts);
	free(jb->cursor);
	free(jb->announce_ts);
	json_decref(jb->rec);
}

/* Run every held record's conversation to its end, then write them. */
static void
run(struct poster *p)
{
	struct http_request **reqs = calloc(p->nj ? p->nj : 1, sizeof *reqs);
	struct job **who = calloc(p->nj ? p->nj : 1, sizeof *who);

	for (;;) {
		size_t n = 0;
		long wait = 0;
		if (!reqs || !who)
			break;
		/* Jobs told to wait (a 429 on a post) hold the round back:
		 * the others are in it too, and Slack asked for a pause. */
		for (size_t i = 0; i < p->nj; i++)
			if (p->j[i].step != S_DONE && p->j[i].wait_ms > wait)
				wait = p->j[i].wait_ms;
		if (wait > 0) {
			struct timespec ts = { wait / 1000,
			    (wait % 1000) * 1000000 };
			nanosleep(&ts, NULL);
			for (size_t i = 0; i < p->nj; i++)
				p->j[i].wait_ms = 0;
		}
		for (size_t i = 0; i < p->nj; i++) {
			struct job *jb = &p->j[i];
			if (jb->step == S_DONE)
				continue;
			if (!(reqs[n] = request(p, jb))) {
				fail(p, jb, "slack: out of memory");
				jb->step = S_DONE;
				continue;
			}
			who[n++] = jb;
		}
		if (n == 0)
			break;
		http_run_all(p->http, reqs, n);
		for (size_t i = 0; i < n; i++) {
			answer(p, who[i], http_request_response(reqs[i]));
			http_request_free(reqs[i]);
		}
	}
	for (size_t i = 0; i < p->nj; i++) {
		if (p->j[i].step != S_DONE)	/* out of memory above */
			fail(p, &p->j[i], "slack: out of memory");
		settle(p, &p->j[i]);
		record_stream_emit(p->s, p->j[i].rec);
		job_free(&p->j[i]);
	}
	p->nj = 0;
	free(reqs);
	free(who);
}

static void
flush_jobs(void *arg)
{
	run(arg);
}

/* Room for one more job; 0 when memory ran out. */
static int
room(struct poster *p)
{
	size_t cap;
	struct job *j;

	if (p->nj < p->cap)
		return 1;
	cap = p->cap ? p->cap * 2 : 64;
	if (!(j = realloc(p->j, cap * sizeof *j)))
		return 0;
	p->j = j;
	p->cap = cap;
	return 1;
}

/* Decide the first step for a record; S_DONE when Slack is not needed. */
static enum step
plan(struct poster *p, struct job *jb, const char **skip)
{
	const json_t *sk = earlier(jb->rec);
	const char *kind = record_str(jb->rec, "kind");
	const char *shown;

	*skip = NULL;
	if (kind && strcmp(kind, "incident") != 0)
		return S_DONE;
	if (!p->http) {
		*skip = "not configured";
		return S_DONE;
	}
	slack_channel_name(jb->id, jb->name, sizeof jb->name);
	if (sk) {
		jb->channel_id = dup_or_null(json_string_value(
		    json_object_get(sk, "channel_id")));
		jb->channel = dup_or_null(json_string_value(json_object_get(sk,
		    "channel")));
		jb->ts = dup_or_null(json_string_value(json_object_get(sk,
		    "ts")));
		if (!jb->ts) {
			/* A channel and no message yet: the earlier pass
			 * stopped, or its answer was lost. */
			jb->to_announce = jb->channel && p->announce &&
			    strcmp(jb->channel, p->announce) == 0;
			return jb->to_announce ? S_POST : after_channel(p, jb);
		}
		shown = json_string_value(json_object_get(sk, "status"));
		return after_message(jb, shown ? shown : "open");
	}
	if (sev_rank(record_str(jb->rec, "severity")) < p->o->min_sev) {
		if (!p->announce) {
			*skip = "below the minimum severity";
			return S_DONE;
		}
		jb->to_announce = 1;
		return S_POST;
	}
	return S_CREATE;
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct poster *p = arg;
	const char *id = record_str(rec, "id"), *skip = NULL;
	struct job *jb;

	if (!room(p)) {
		record_add_error(rec, STAGE, "out of memory");
		p->s->n_failed++;
		run(p);
		return RECORD_PASS;
	}
	jb = &p->j[p->nj];
	*jb = (struct job){ .rec = rec, .id = id, .status = status_of(rec) };
	if (!id || !*id) {
		const char *kind = record_str(rec, "kind");
		jb->step = S_DONE;
		if (!kind || strcmp(kind, "incident") == 0) {
			record_add_error(rec, STAGE, "no id: no channel made");
			p->s->n_failed++;
		}
	} else {
		jb->step = plan(p, jb, &skip);
	}
	if (skip && !earlier(rec))
		json_object_set_new(rec, "slack", json_pack("{s:s}",
		    "skipped", skip));
	/* Order is kept: a record with nothing to do waits behind those
	 * that talk to Slack. */
	if (jb->step == S_DONE && p->nj == 0) {
		free(jb->channel_id);
		free(jb->channel);
		free(jb->ts);
		return RECORD_PASS;
	}
	json_incref(rec);
	p->nj++;
	if (p->nj >= (size_t)p->concurrency * 4)
		run(p);
	return RECORD_TAKEN;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
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

	while ((c = getopt_long(argc, argv, "m:nqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if ((o->min_sev = sev_rank(optarg)) < 0)
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

/* The responders to invite: user ids, spaces dropped. */
static char *
invitees(const char *v)
{
	char *out = v ? malloc(strlen(v) + 1) : NULL, *o = out;

	if (!out)
		return NULL;
	for (; *v; v++)
		if (*v != ' ' && *v != '\t')
			*o++ = *v;
	*o = '\0';
	if (!*out) {
		free(out);
		return NULL;
	}
	return out;
}

static int
setup(struct poster *p, char *err, size_t errlen)
{
	const char *token = config_get("SLACK_BOT_TOKEN", NULL);
	char path[PATH_MAX];
	long timeout, attempts;
	struct {
		const char *key, *file;
		json_t **t;
	} tm[] = {
		{ "INC_SLACK_MESSAGE", "slack/message.json", &p->t_message },
		{ "INC_SLACK_UPDATE", "slack/update.json", &p->t_update },
		{ "INC_SLACK_ANNOUNCE", "slack/announce.json",
		    &p->t_announce },
	};

	if (config_long("INC_SLACK_CONCURRENCY", 16, 1, 256, &p->concurrency,
	    err, errlen) < 0 ||
	    config_long("INC_SLACK_TIMEOUT_MS", 10000, 100, 600000, &timeout,
	    err, errlen) < 0 ||
	    config_long("INC_SLACK_ATTEMPTS", HTTP_MAX_ATTEMPTS, 1, 20,
	    &attempts, err, errlen) < 0)
		return -1;
	p->attempts = attempts;
	p->announce = config_get("INC_SLACK_ANNOUNCE_CHANNEL", NULL);
	for (size_t i = 0; i < sizeof tm / sizeof tm[0]; i++) {
		const char *f = config_get(tm[i].key, config_share_path(
		    tm[i].file, path, sizeof path));
		if (!(*tm[i].t = slack_template_load(f, err, errlen)))
			return -1;
	}
	if (!token)
		return 0;
	if (!(p->http = slack_client_new(config_get("SLACK_API_URL",
	    "https://slack.com/api"), token, err, errlen)))
		return -1;
	http_client_set_timeouts(p->http, timeout < 5000 ? timeout : 5000,
	    timeout);
	http_client_set_retry(p->http, (int)attempts, HTTP_MAX_WAIT_MS,
	    HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS);
	http_client_set_concurrency(p->http, (int)p->concurrency);
	http_client_set_dry_run(p->http, p->o->cli.dry_run);
	return 0;
}

/* --check: the token works and the API answers. */
static int
check(struct poster *p)
{
	struct http_request *req = slack_request("auth.test", NULL);
	char why[300];
	int rc;

	if (!req)
		return -1;
	http_run(p->http, req);
	rc = slack_result(http_request_response(req), "auth.test", NULL, why,
	    sizeof why);
	if (rc < 0)
		log_error(NULL, "%s", why);
	else if (!p->o->cli.quiet)
		log_info(NULL, "slack: auth.test: ok, team %s, user %s",
		    json_string_value(json_object_get(http_request_response(
		    req)->json, "team")) ? json_string_value(json_object_get(
		    http_request_response(req)->json, "team")) : "?",
		    json_string_value(json_object_get(http_request_response(
		    req)->json, "user")) ? json_string_value(json_object_get(
		    http_request_response(req)->json, "user")) : "?");
	http_request_free(req);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .min_sev = -1 };
	struct record_stream s = { .stage = STAGE };
	struct poster p = { .o = &o, .s = &s };
	char err[PATH_MAX + 256];
	const char *v;
	int rc = 0;

	log_init("inc-slack");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (o.min_sev < 0) {
		v = config_get("INC_SLACK_MIN_SEVERITY", "MEDIUM");
		if ((o.min_sev = sev_rank(v)) < 0) {
			log_error(NULL, "INC_SLACK_MIN_SEVERITY: LOW, MEDIUM or "
			    "HIGH, not %s", v);
			return EX_CONFIG;
		}
	}
	if (setup(&p, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		rc = EX_CONFIG;
		goto out;
	}
	/* Not configured is the normal offline state (DESIGN §3), said
	 * in each record, not on stderr. */
	if (p.http && !(p.invite_buf = invitees(config_get(
	    "INC_SLACK_INVITE", NULL))) && config_get("INC_SLACK_INVITE",
	    NULL))
		log_warn(NULL, "INC_SLACK_INVITE: no user ids in it");
	p.invite = p.invite_buf;
	/* A dry run sends nothing, auth.test included. */
	if (o.check && p.http && !o.cli.dry_run && check(&p) < 0) {
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	s.out = stdout;
	s.flush = flush_jobs;
	s.flush_arg = &p;
	rc = record_stream_run(&s, 0, one, &p);
	if (p.http)
		log_debug(NULL, "%lu records: %lu channels made, %lu messages, "
		    "%lu updates, %lu failed", s.n_in, p.n_channels,
		    p.n_messages, p.n_updates, s.n_failed);
out:
	cli_stream_close(&s);
	http_client_free(p.http);
	json_decref(p.t_message);
	json_decref(p.t_update);
	json_decref(p.t_announce);
	free(p.invite_buf);
	free(p.j);
	return rc;
}
