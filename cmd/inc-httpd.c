/*
 * inc-httpd: the HTTP front of the pipeline.
 *
 * Reports and alert webhooks are checked, written durably into the spool
 * (DESIGN §4) and only then answered 202; the pipeline's inc-ingest
 * --spool takes them from there.  The rest of the API reads the store:
 * incidents, their status, statistics, ack and resolve, and a knowledge
 * search with the local embedding model.  Sockets come from systemd when
 * it passes them, else from --listen / INC_LISTEN.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "alert.h"
#include "config.h"
#include "embed.h"
#include "form.h"
#include "fs.h"
#include "hex.h"
#include "httpd.h"
#include "json.h"
#include "id.h"
#include "incident.h"
#include "kbindex.h"
#include "log.h"
#include "oncall.h"
#include "record.h"
#include "rfc3339.h"
#include "sig.h"
#include "slack.h"
#include "spool.h"
#include "store.h"
#include "twilio.h"
#include "cli.h"
#include "voice.h"
#include "vindex.h"

#define USAGE \
	"usage: inc-httpd [-l addr:port] [-d url] [--spool dir]\n"

#define MAX_TOKENS 256
#define LIST_DEFAULT 50
#define LIST_MAX 1000

struct opts {
	const char *listen, *db, *spool;
};

enum route {
	R_NONE, R_INCIDENTS, R_INCIDENT, R_STATUS, R_ACK, R_RESOLVE,
	R_STATS, R_ALERTMANAGER, R_GRAFANA, R_HEALTH, R_METRICS,
	R_KNOWLEDGE, R_SLACK_ACTIONS, R_VOICE_INBOUND, R_VOICE_SPEECH,
	R_VOICE_RECORDING, R_VOICE_ACK, R_VOICE_STATUS, R_CALL_NOTIFY,
	R_NROUTES
};

/* Route names, as /metrics labels them. */
static const char *route_names[R_NROUTES] = {
	"none", "/api/v1/incidents", "/api/v1/incidents/{id}",
	"/api/v1/incidents/{id}/status", "/api/v1/incidents/{id}/ack",
	"/api/v1/incidents/{id}/resolve", "/api/v1/incidents/stats",
	"/api/v1/alerts/alertmanager", "/api/v1/alerts/grafana",
	"/api/health", "/metrics", "/api/knowledge/search",
	"/api/slack/actions", "/api/twilio/voice/inbound",
	"/api/twilio/voice/inbound/speech",
	"/api/twilio/voice/inbound/recording", "/api/twilio/voice/ack",
	"/api/twilio/voice/status",
	"/api/twilio/outbound/call/incident-notification",
};

/* Request latency buckets, seconds (Prometheus' defaults, trimmed). */
static const double buckets[] = {
	0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct counter {
	enum route r;
	int status;
	unsigned long n;
};

struct server {
	const struct opts *o;
	char spool[PATH_MAX];
	struct spool_index *index; /* the ids waiting in the spool */
	struct spool_batch *batch; /* reports share entries and fsyncs */
	struct store *st;	/* NULL until opened, or after a failure */
	struct store *loop_st;	/* the event loop's (SQLite only) */
	struct store *loop_dead; /* the loop's, failed, for main to close */
	int loop_store;		/* the event loop may read the store */
	struct incident_limits lim;
	unsigned char tokens[MAX_TOKENS][32];
	int ntokens;		/* -1: no token file, the API is open */
	struct embed_model *model;
	struct kbindex *kb;
	struct twilio *tw;	/* NULL: Twilio calls not configured */
	struct oncall oc;	/* INC_ONCALL, INC_PUBLIC_URL */
	/* /metrics, under mlock: a handler may count its answer after
	 * letting go of the handler lock. */
	pthread_mutex_t mlock;
	struct counter counters[128];
	int ncounters;
	unsigned long hist[NBUCKETS + 1];
	double hist_sum;
	unsigned long hist_n;
};

/*
 * The store, opened on first use and again after a failure: the workers'
 * handle, or the event loop's own (a second SQLite connection; WAL lets
 * it read while the pipeline writes), so that neither waits for the other.
 */
static struct store **
store_slot(struct server *s, const struct httpd_req *req)
{
	return req && !req->worker ? &s->loop_st : &s->st;
}

static struct store *
store(struct server *s, const struct httpd_req *req, char *err,
    size_t errlen)
{
	struct store **st = store_slot(s, req);

	if (!*st && store_open(st, s->o->db, 0, err, errlen) < 0)
		*st = NULL;
	return *st;
}

/* After STORE_ERR: a lost connection is only found by opening again. */
static void
store_failed(struct server *s, const struct httpd_req *req, const char *err)
{
	struct store **st = store_slot(s, req);

	log_error(NULL, "store: %s", err);
	if (st == &s->loop_st)
		/* Closing may checkpoint the WAL, seconds under a busy
		 * timeout: the main loop closes it, not the event loop. */
		store_close(__atomic_exchange_n(&s->loop_dead, *st,
		    __ATOMIC_ACQ_REL));
	else
		store_close(*st);
	*st = NULL;
}

/* Bearer tokens */

/* INC_API_TOKENS_FILE: SHA-256 hex digests, one a line, '#' comments. */
static int
load_tokens(struct server *s, const char *path)
{
	char line[256];
	unsigned long n = 0;
	FILE *f;

	s->ntokens = 0;
	if (!(f = fopen(path, "r"))) {
		log_error(NULL, "INC_API_TOKENS_FILE %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		char *p = line, *e;
		n++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strcspn(p, " \t\r\n");
		if (p == e || *p == '#')
			continue;
		if (e - p != 64 || s->ntokens == MAX_TOKENS) {
			log_error(NULL, "%s: line %lu: not a SHA-256 hex "
			    "digest (or over %d tokens)", path, n,
			    MAX_TOKENS);
			fclose(f);
			return -1;
		}
		for (int i = 0; i < 32; i++) {
			int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				log_error(NULL, "%s: line %lu: not a SHA-256 "
				    "hex digest", path, n);
				fclose(f);
				return -1;
			}
			s->tokens[s->ntokens][i] = (unsigned char)(hi * 16 +
			    lo);
		}
		s->ntokens++;
	}
	fclose(f);
	return 0;
}

/* 1 when the request carries a token whose hash is in the file. */
static int
authorized(struct server *s, const struct httpd_req *req)
{
	const char *h = httpd_header(req, "Authorization");
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = 0;

	if (s->ntokens < 0)
		return 1;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	h += 7;
	while (*h == ' ')
		h++;
	if (!*h || !EVP_Digest(h, strlen(h), md, &mdlen, EVP_sha256(), NULL))
		return 0;
	/* Compare with every hash, in constant time: how long the answer
	 * takes must not tell how much of a hash matched. */
	for (int i = 0; i < s->ntokens; i++)
		ok |= CRYPTO_memcmp(md, s->tokens[i], 32) == 0;
	return ok;
}

/* The spool and the accepted ids */

/*
 * A re-post of an id already accepted (a sender retrying after a lost
 * answer) is answered 202 again without a second entry: the store knows
 * the ids stored, the spool index those still waiting.  Two posts of one
 * id racing each other may both be spooled: the stages take the second
 * as the same incident (DESIGN §4), so that costs work, never a record.
 */
static size_t
spool_depth(const struct server *s, int *ok)
{
	static const char *subs[] = { "new", "cur" };
	size_t n = 0;

	*ok = 1;
	for (int i = 0; i < 2; i++) {
		char **names = spool_list(s->spool, subs[i]);
		if (!names) {
			*ok = 0;
			continue;
		}
		for (char **p = names; *p; p++)
			n++;
		spool_list_free(names);
	}
	return n;
}

/* Helpers for handlers */

static json_t *
parse_body(struct httpd_req *req)
{
	char why[200];
	json_t *v = record_parse(req->body, req->len, why, sizeof why);

	if (!v)
		httpd_respondf(req, 400, "malformed JSON: %s", why);
	return v;
}

/* The {id} of /api/v1/incidents/{id}[/...]; "" when it is not valid. */
static void
path_id(const char *path, char *id, size_t len)
{
	const char *p = path + strlen("/api/v1/incidents/");
	size_t n = strcspn(p, "/");

	snprintf(id, len, "%.*s", (int)n, p);
	if (!id_valid(id))
		id[0] = '\0';
}

/* A copy of rec without the embedding: a vector means nothing to a
 * reader of the API and is most of a record's bytes. */
static json_t *
api_record(const json_t *rec)
{
	json_t *out = json_copy((json_t *)rec);

	json_object_del(out, "embedding");
	return out;
}

/*
 * Write a spool entry and wait for it to be on disk, letting other
 * requests run meanwhile: their fsyncs overlap with this one's, and the
 * file system commits them together.  spool_write touches nothing the
 * other handlers share.
 */
static int
durable(struct httpd_req *req, struct server *s, const char *data,
    size_t len, char *name, size_t namelen, char *why, size_t whylen)
{
	int rc;

	httpd_unlock(req);
	rc = spool_write(s->spool, data, len, name, namelen, why, whylen);
	httpd_relock(req);
	return rc;
}

/*
 * After a change of status made here (ack, resolve, a Slack button, a
 * keypad answer), spool the stored record again: the pipeline carries it
 * to the integration stages, which see the new status beside what they
 * made on the first pass (inc-store keeps their keys) and post an update
 * or a comment.  The store has the change already; a failure here only
 * loses that update, so it is logged, not answered.
 */
static int
respool_incident(struct server *s, struct httpd_req *req, const json_t *rec)
{
	struct json_buf jb = { 0 };
	char name[256], why[300];
	const char *id = record_str(rec, "id");
	json_t *out = api_record(rec);
	int rc = -1;

	/* Where it came from is spent; inc-ingest names the new entry. */
	json_object_del(out, "spool");
	if (json_write(&jb, out) == 0 && json_buf_put(&jb, "", 1) == 0)
		rc = durable(req, s, jb.data, jb.len - 1, name, sizeof name,
		    why, sizeof why);
	else
		snprintf(why, sizeof why, "out of memory");
	if (rc < 0)
		log_error(id, "spool: %s: the integrations will not hear of "
		    "this change", why);
	else
		log_info(id, "change spooled as %s", name);
	json_buf_free(&jb);
	json_decref(out);
	return rc;
}

/*
 * How a caller answers once its report is spooled (rc 0), or was accepted
 * before (1), or could not be spooled (-1): called once, perhaps from the
 * spool writer's thread.
 */
typedef int (*accepted_fn)(struct httpd_req *req, int rc, const char *id);

struct accepting {
	struct server *s;
	struct httpd_req *req;
	accepted_fn answer;
	char id[ID_MAX + 1];
};

/* The spool writer's word on one report. */
static void
spooled(void *arg, int rc, const char *name, const char *why)
{
	struct accepting *a = arg;

	if (rc < 0) {
		log_error(a->id, "spool: %s", why);
	} else {
		/* Before the answer: a re-post must find it. */
		if (spool_index_add(a->s->index, a->id, name) < 0)
			log_warn(a->id, "out of memory: a re-post would be "
			    "spooled again");
		log_info(a->id, "accepted into spool %s", name);
	}
	a->answer(a->req, rc < 0 ? -1 : 0, a->id);
	free(a);
}

/*
 * Accept the report rec, whose id is id (given: chosen by the sender, so
 * perhaps sent before), and have answer() say how it went.  The report
 * joins the spool's next entry and the request is answered when that
 * entry is durable, by the spool writer: no thread waits for the disk, and
 * the reports that arrive during one fsync share the next.  POST
 * /api/v1/incidents and phone reports share it.  In a worker it returns
 * with the handler lock let go: nothing shared is touched after.
 */
static int
accept_report(struct server *s, struct httpd_req *req, const json_t *rec,
    const char *id, int given, accepted_fn answer)
{
	char why[300], name[256];
	const char *where;
	struct accepting *a;
	json_t *old = NULL;
	struct store *st;
	int rc;

	/* Already stored: the report was accepted before. */
	if (given && (st = store(s, req, why, sizeof why))) {
		rc = store_get(st, id, &old, why, sizeof why);
		json_decref(old);
		if (rc == 0)
			goto before;
		if (rc == STORE_ERR)
			store_failed(s, req, why);
	}
	/* Waiting in the spool; one that went to bad/ may be sent again. */
	if (given && spool_index_find(s->index, id, name, sizeof name,
	    &where) && strcmp(where, "bad") != 0)
		goto before;
	httpd_unlock(req);
	/* lib/json keeps the sender's numbers as written (DESIGN §2). */
	struct json_buf jb = { 0 };
	if (!(a = calloc(1, sizeof *a)) || json_write(&jb, rec) < 0) {
		log_error(id, "spool: out of memory");
		free(a);
		json_buf_free(&jb);
		return answer(req, -1, id);
	}
	a->s = s;
	a->req = req;
	a->answer = answer;
	snprintf(a->id, sizeof a->id, "%s", id);
	httpd_defer(req);
	rc = spool_batch_submit(s->batch, jb.data, jb.len, spooled, a);
	json_buf_free(&jb);
	if (rc < 0) {
		log_error(id, "spool: out of memory");
		free(a);
		return answer(req, -1, id);
	}
	return 0;
before:
	httpd_unlock(req);
	return answer(req, 1, id);
}

static int
incident_accepted(struct httpd_req *req, int rc, const char *id)
{
	char url[ID_MAX + 64];

	if (rc < 0)
		return httpd_respondf(req, 503, "spool unavailable: the "
		    "report was not accepted, send it again");
	snprintf(url, sizeof url, "/api/v1/incidents/%s/status", id);
	return httpd_respond(req, 202, json_pack("{s:s, s:s, s:s}", "id", id,
	    "status", "accepted", "statusUrl", url), NULL);
}

/* POST /api/v1/incidents */
static int
post_incident(struct server *s, struct httpd_req *req)
{
	char why[300], id[ID_MAX + 1];
	const char *given;
	json_t *rec;
	int rc;

	if (!(rec = parse_body(req)))
		return 0;
	if (incident_check(rec, &s->lim, why, sizeof why) < 0) {
		json_decref(rec);
		return httpd_respondf(req, 400, "%s", why);
	}
	if ((given = record_str(rec, "id")))
		snprintf(id, sizeof id, "%s", given);
	else {
		id_new(id, sizeof id);
		json_object_set_new(rec, "id", json_string(id));
	}
	rc = accept_report(s, req, rec, id, given != NULL, incident_accepted);
	json_decref(rec);
	return rc;
}

/* POST /api/v1/alerts/... */
static int
post_alert(struct server *s, struct httpd_req *req, enum route r)
{
	char why[300], name[256];
	enum alert_kind k;
	json_t *body, *alerts;
	size_t n;

	if (!(body = parse_body(req)))
		return 0;
	k = alert_detect(body);
	/* Grafana's unified alerting can send Alertmanager's shape too
	 * (its contact point "Alertmanager"-style webhook): the Grafana
	 * route takes every kind, the Alertmanager route only its own. */
	if (k == ALERT_NONE || (r == R_ALERTMANAGER &&
	    k != ALERT_ALERTMANAGER)) {
		json_decref(body);
		return httpd_respondf(req, 400, "not %s webhook body",
		    r == R_ALERTMANAGER ? "an Alertmanager" : "a Grafana");
	}
	/* The same records inc-ingest will make: refuse now what it
	 * would refuse later, while the sender is still listening. */
	if (!(alerts = alert_records(body, k, why, sizeof why))) {
		json_decref(body);
		return httpd_respondf(req, 400, "%s", why);
	}
	n = json_array_size(alerts);
	json_decref(alerts);
	json_decref(body);
	if (durable(req, s, req->body, req->len, name, sizeof name, why,
	    sizeof why) < 0) {
		log_error(NULL, "spool: %s", why);
		return httpd_respondf(req, 503, "spool unavailable: the "
		    "alerts were not accepted, send them again");
	}
	log_info(NULL, "%zu %s alert(s) accepted into spool %s", n,
	    alert_format(k), name);
	return httpd_respond(req, 202, json_pack("{s:s, s:s, s:I}", "status",
	    "accepted", "format", alert_format(k), "alerts", (json_int_t)n),
	    NULL);
}

/*
 * Look an incident up: 0 with *rec, or an answer already sent (1): the
 * queued state of a report still in the spool, or 404.
 */
static int
find(struct server *s, struct httpd_req *req, const char *id, json_t **rec)
{
	char err[512], name[256];
	const char *where;
	struct store *st = store(s, req, err, sizeof err);
	int rc = STORE_NOTFOUND;

	*rec = NULL;
	if (st && (rc = store_get(st, id, rec, err, sizeof err)) == 0)
		return 0;
	if (rc == STORE_ERR)
		store_failed(s, req, err);
	if (spool_index_find(s->index, id, name, sizeof name, &where)) {
		/* An entry inc-ingest could make nothing of waits in bad/
		 * for a person; it will never be stored. */
		httpd_respond(req, 200, json_pack("{s:s, s:s}", "id", id,
		    "status", strcmp(where, "bad") == 0 ? "rejected" :
		    "queued"), NULL);
		return 1;
	}
	if (!st) {
		log_error(id, "store: %s", err);
		httpd_respondf(req, 503, "store unavailable");
		return 1;
	}
	if (rc == STORE_ERR) {
		httpd_respondf(req, 503, "store unavailable");
		return 1;
	}
	httpd_respondf(req, 404, "no incident %s", id);
	return 1;
}

static int
get_incident(struct server *s, struct httpd_req *req, int status_only)
{
	char id[ID_MAX + 1];
	json_t *rec, *out;
	const char *keys[] = { "status", "severity", "classification",
	    "matches" };

	path_id(req->path, id, sizeof id);
	if (find(s, req, id, &rec))
		return 0;
	if (!status_only) {
		out = api_record(rec);
	} else {
		out = json_pack("{s:s}", "id", id);
		for (size_t i = 0; i < 4; i++) {
			json_t *v = json_object_get(rec, keys[i]);
			json_object_set(out, keys[i], v ? v : json_null());
		}
	}
	json_decref(rec);
	return httpd_respond(req, 200, out, NULL);
}

/* A query argument as a number in [min, max]; -1 with a 400 sent. */
static int
arg_long(struct httpd_req *req, const char *name, long def, long min,
    long max, long *out)
{
	const char *v = httpd_arg(req, name);
	char *end;

	*out = def;
	if (!v)
		return 0;
	errno = 0;
	*out = strtol(v, &end, 10);
	if (!*v || *end || errno || *out < min || *out > max) {
		httpd_respondf(req, 400, "%s: must be %ld..%ld", name, min,
		    max);
		return -1;
	}
	return 0;
}

struct listing {
	json_t *out;
	long skip;
};

static int
list_one(const json_t *rec, void *arg)
{
	struct listing *l = arg;

	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	json_array_append_new(l->out, api_record(rec));
	return 0;
}

/* GET /api/v1/incidents */
static int
list_incidents(struct server *s, struct httpd_req *req)
{
	struct store_filter f = { 0 };
	struct listing l = { 0 };
	char err[512], since[64];
	struct store *st;
	long limit, offset;

	f.status = httpd_arg(req, "status");
	f.severity = httpd_arg(req, "severity");
	f.since = httpd_arg(req, "since");
	if (f.status && strcmp(f.status, "open") != 0 &&
	    strcmp(f.status, "acknowledged") != 0 &&
	    strcmp(f.status, "resolved") != 0)
		return httpd_respondf(req, 400, "status: open, acknowledged "
		    "or resolved");
	if (f.severity && strcmp(f.severity, "LOW") != 0 &&
	    strcmp(f.severity, "MEDIUM") != 0 &&
	    strcmp(f.severity, "HIGH") != 0)
		return httpd_respondf(req, 400, "severity: LOW, MEDIUM or "
		    "HIGH");
	if (f.since) {
		if (rfc3339_normalise(f.since, since, sizeof since) < 0)
			return httpd_respondf(req, 400, "since: not an RFC "
			    "3339 time");
		f.since = since;
	}
	if (arg_long(req, "limit", LIST_DEFAULT, 1, LIST_MAX, &limit) < 0 ||
	    arg_long(req, "offset", 0, 0, LONG_MAX / 2, &offset) < 0)
		return 0;
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(NULL, "store: %s", err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	/* The store has no offset: ask for offset + limit, skip offset. */
	f.limit = limit + offset;
	l.skip = offset;
	l.out = json_array();
	if (store_list(st, &f, list_one, &l, err, sizeof err) < 0) {
		store_failed(s, req, err);
		json_decref(l.out);
		return httpd_respondf(req, 503, "store unavailable");
	}
	return httpd_respond(req, 200, json_pack("{s:I, s:I, s:I, s:o}",
	    "count", (json_int_t)json_array_size(l.out), "limit",
	    (json_int_t)limit, "offset", (json_int_t)offset, "incidents",
	    l.out), NULL);
}

/* GET /api/v1/incidents/stats */
static int
get_stats(struct server *s, struct httpd_req *req)
{
	const char *since = httpd_arg(req, "since");
	char err[512], norm[64];
	struct store *st;
	json_t *out;

	if (since && rfc3339_normalise(since, norm, sizeof norm) < 0)
		return httpd_respondf(req, 400, "since: not an RFC 3339 time");
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(NULL, "store: %s", err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	if (store_stats(st, since ? norm : NULL, &out, err, sizeof err) < 0) {
		store_failed(s, req, err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	return httpd_respond(req, 200, out, NULL);
}

/* POST /api/v1/incidents/{id}/ack and /resolve */
static int
post_lifecycle(struct server *s, struct httpd_req *req, enum route r)
{
	char id[ID_MAX + 1], err[512];
	const char *by = "inc-httpd", *resolution = NULL;
	json_t *body = NULL, *rec = NULL;
	struct store *st;
	int rc;

	path_id(req->path, id, sizeof id);
	if (req->len) {
		if (!(body = parse_body(req)))
			return 0;
		if (json_object_get(body, "by") && !record_str(body, "by")) {
			json_decref(body);
			return httpd_respondf(req, 400, "by: must be a "
			    "string");
		}
		if (record_str(body, "by"))
			by = record_str(body, "by");
		resolution = record_str(body, "resolution");
	}
	if (r == R_RESOLVE && (!resolution || !*resolution)) {
		json_decref(body);
		return httpd_respondf(req, 400, "resolution: a string is "
		    "required");
	}
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(id, "store: %s", err);
		json_decref(body);
		return httpd_respondf(req, 503, "store unavailable");
	}
	rc = r == R_ACK ? store_ack(st, id, by, &rec, err, sizeof err) :
	    store_resolve(st, id, resolution, by, &rec, err, sizeof err);
	json_decref(body);
	if (rc == STORE_NOTFOUND)
		return httpd_respondf(req, 404, "no incident %s", id);
	if (rc < 0) {
		store_failed(s, req, err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	log_info(id, "%s", r == R_ACK ? "acknowledged" : "resolved");
	respool_incident(s, req, rec);
	json_t *out = api_record(rec);
	json_decref(rec);
	return httpd_respond(req, 200, out, NULL);
}

/*
 * POST /api/slack/actions: a click on the Acknowledge or Resolve button
 * of an incident's message (a block_actions payload, sent as the form
 * field payload=<JSON>).  Slack signs the raw body (protocols.md §1.7):
 * what does not verify changes nothing.  The message itself is updated
 * by the pipeline: the changed incident is spooled again and inc-slack
 * posts the news into its channel.
 */
static int
post_slack_action(struct server *s, struct httpd_req *req)
{
	const char *secret = config_get("SLACK_SIGNING_SECRET", NULL);
	const char *aid, *user, *uid, *v;
	char why[300], err[512], by[300], res[400], id[ID_MAX + 1];
	json_t *pl, *act, *who, *rec = NULL;
	struct store *st;
	char *text;
	int rc;

	if (strcmp(req->method, "POST") != 0) {
		const char *h[] = { "Allow", "POST", NULL };
		return httpd_respond_error(req, 405, h, "method %s not "
		    "allowed: POST", req->method);
	}
	if (!secret)
		return httpd_respondf(req, 503, "Slack actions are not "
		    "configured: SLACK_SIGNING_SECRET is not set");
	if (slack_verify(secret, httpd_header(req,
	    "X-Slack-Request-Timestamp"), httpd_header(req,
	    "X-Slack-Signature"), req->body, req->len, time(NULL), why,
	    sizeof why) < 0) {
		log_warn(NULL, "slack action refused: %s", why);
		return httpd_respondf(req, 401, "Slack signature: %s", why);
	}
	if (!(text = form_value(req->body, req->len, "payload")))
		return httpd_respondf(req, 400, "payload: a form field is "
		    "required");
	pl = json_loads(text, 0, NULL);
	free(text);
	act = json_array_get(json_object_get(pl, "actions"), 0);
	aid = json_string_value(json_object_get(act, "action_id"));
	/* A copy: the payload is freed before the answer names it. */
	v = json_string_value(json_object_get(act, "value"));
	snprintf(id, sizeof id, "%s", v && strlen(v) <= ID_MAX ? v : "");
	if (!json_is_object(pl) || !record_str(pl, "type") ||
	    strcmp(record_str(pl, "type"), "block_actions") != 0 || !aid ||
	    (strcmp(aid, "inc_ack") != 0 && strcmp(aid, "inc_resolve") != 0)) {
		json_decref(pl);
		return httpd_respondf(req, 400, "payload: not a click on "
		    "inc_ack or inc_resolve (block_actions)");
	}
	if (!id_valid(id)) {
		json_decref(pl);
		return httpd_respondf(req, 400, "payload: the button's value "
		    "is not an incident id");
	}
	/* The timeline names the person who clicked. */
	who = json_object_get(pl, "user");
	uid = record_str(who, "id");
	user = record_str(who, "username") ? record_str(who, "username") :
	    record_str(who, "name") ? record_str(who, "name") : uid;
	snprintf(by, sizeof by, "slack:%.100s%s%.30s%s", user ? user :
	    "unknown", uid && user != uid ? " (" : "", uid && user != uid ?
	    uid : "", uid && user != uid ? ")" : "");
	snprintf(res, sizeof res, "resolved in Slack by %.100s", user ? user :
	    "unknown");
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(id, "store: %s", err);
		json_decref(pl);
		return httpd_respondf(req, 503, "store unavailable");
	}
	rc = strcmp(aid, "inc_ack") == 0 ? store_ack(st, id, by, &rec, err,
	    sizeof err) : store_resolve(st, id, res, by, &rec, err,
	    sizeof err);
	if (rc == STORE_NOTFOUND) {
		json_decref(pl);
		return httpd_respondf(req, 404, "no incident %s", id);
	}
	if (rc < 0) {
		json_decref(pl);
		store_failed(s, req, err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	log_info(id, "%s from Slack by %s", strcmp(aid, "inc_ack") == 0 ?
	    "acknowledged" : "resolved", by);
	json_decref(pl);
	respool_incident(s, req, rec);
	json_decref(rec);
	/* Slack wants its 200 within 3 s; the message follows. */
	return httpd_respond(req, 200, NULL, NULL);
}

/*
 * Twilio's voice webhooks (issue 7); what they mean is in lib/voice.c and
 * lib/oncall.c.  Twilio signs each request instead of sending a token: a
 * signature that does not verify gets 403 and changes nothing.
 */

/* A TwiML answer (text/xml); doc is freed. */
static int
twiml(struct httpd_req *req, char *doc)
{
	int rc;

	if (!doc)
		return httpd_respondf(req, 500, "out of memory");
	rc = httpd_respond_text(req, 200, "text/xml; charset=utf-8", doc,
	    strlen(doc));
	free(doc);
	return rc;
}

static int
voice_accepted(struct httpd_req *req, int rc, const char *id)
{
	(void)id;
	return twiml(req, voice_say_bye(rc < 0 ? "Sorry, the report could "
	    "not be taken. Please call again." : "Thank you, your report "
	    "was taken. Goodbye."));
}

/* .../inbound/speech and .../inbound/recording: spool the report. */
static int
voice_report_in(struct server *s, struct httpd_req *req,
    const struct twilio_param *p, size_t n, enum route r)
{
	json_t *rec = voice_report(p, n);
	int rc;

	if (!rec)
		return twiml(req, r == R_VOICE_SPEECH ? voice_record_prompt(
		    s->oc.public_url) : voice_say_bye("Nothing was recorded. "
		    "Goodbye."));
	rc = accept_report(s, req, rec, record_str(rec, "id"), 1,
	    voice_accepted);
	json_decref(rec);
	return rc;
}

/*
 * A request to Twilio takes up to seconds: the other handlers run
 * meanwhile.  It gets a Twilio client of its own (a client serves one
 * thread at a time), and the store is looked up again after it, since
 * another handler may have closed it on a failure.
 */
struct dialing {
	struct server *s;
	struct httpd_req *req;
};

static void
dial_unlock(struct oncall *oc)
{
	httpd_unlock(((struct dialing *)oc->lock_arg)->req);
}

static void
dial_relock(struct oncall *oc)
{
	struct dialing *d = oc->lock_arg;

	httpd_relock(d->req);
	oc->st = d->s->st;
}

/* A copy of the server's on-call list that dials as above; tw NULL on
 * ENOMEM. */
static void
dialer(struct server *s, struct httpd_req *req, struct dialing *d,
    struct oncall *oc)
{
	char err[256];
	int on;

	*oc = s->oc;
	d->s = s;
	d->req = req;
	oc->st = s->st;
	oc->tw = twilio_new(0, &on, err, sizeof err);
	oc->unlock = dial_unlock;
	oc->relock = dial_relock;
	oc->lock_arg = d;
}

/* .../ack?incident=ID: the key pressed in an incident call. */
static int
voice_ack(struct server *s, struct httpd_req *req, const char *id,
    const struct twilio_param *p, size_t n)
{
	const char *d = twilio_param(p, n, "Digits");
	char who[40], by[48], err[512], e2[512];
	json_t *rec = NULL, *call = NULL;
	struct store *st;
	int rc;

	if (!(st = store(s, req, err, sizeof err))) {
		log_error(id, "store: %s", err);
		return twiml(req, voice_say_bye("Sorry, the incident store is "
		    "unavailable. Please use another way."));
	}
	s->oc.st = st;
	voice_party(p, n, who, sizeof who);
	snprintf(by, sizeof by, "phone:%s", who);
	rc = d && strcmp(d, "1") == 0 ? store_ack(st, id, by, &rec, err,
	    sizeof err) : store_get(st, id, &rec, err, sizeof err);
	if (rc == STORE_NOTFOUND)
		return httpd_respondf(req, 404, "no incident %s", id);
	if (rc < 0) {
		store_failed(s, req, err);
		return twiml(req, voice_say_bye("Sorry, the incident store is "
		    "unavailable. Please use another way."));
	}
	if (d && strcmp(d, "1") == 0) {
		log_info(id, "acknowledged by %s", by);
		respool_incident(s, req, rec);
		json_decref(rec);
		return twiml(req, voice_say_bye("Incident acknowledged. Thank "
		    "you. Goodbye."));
	}
	if (d && strcmp(d, "2") == 0 && s->tw) {
		struct dialing dl;
		struct oncall oc;

		dialer(s, req, &dl, &oc);
		/* From this call only: a second 2 rings nobody more. */
		if (oc.tw)
			rc = oncall_escalate(&oc, rec, rfc3339_usec_now(),
			    twilio_param(p, n, "CallSid") ? twilio_param(p, n,
			    "CallSid") : "", &call, NULL, err, sizeof err);
		else
			rc = -1, snprintf(err, sizeof err, "out of memory");
		twilio_free(oc.tw);
		if (call && (!(oc.st = store(s, req, e2, sizeof e2)) ||
		    oncall_save(&oc, rec, call, e2, sizeof e2) < 0))
			log_error(id, "store: %s", e2);
		if (rc < 0)
			log_error(id, "escalation: %s", err);
		else if (rc > 0)
			log_info(id, "escalated by %s to step %lld", who,
			    (long long)json_integer_value(json_object_get(call,
			    "step")));
		json_decref(call);
		json_decref(rec);
		return twiml(req, voice_say_bye(rc > 0 ? "Calling the next "
		    "person on call. Goodbye." : rc < 0 ? "Sorry, the next "
		    "person could not be called." : "Nobody else is left to "
		    "call. Goodbye."));
	}
	/* 9 says it again; another key, or none, asks again. */
	rc = twiml(req, oncall_twiml(&s->oc, id, rec, NULL, d && strcmp(d,
	    "9") == 0 ? NULL : "Sorry, that key is not an option."));
	json_decref(rec);
	return rc;
}

/* .../status?incident=ID: the call's progress into the timeline. */
static int
voice_status(struct server *s, struct httpd_req *req, const char *id,
    const struct twilio_param *p, size_t n)
{
	const char *sid = twilio_param(p, n, "CallSid");
	const char *cs = twilio_param(p, n, "CallStatus");
	const char *dur = twilio_param(p, n, "CallDuration");
	char err[512], cb[128];
	struct store *st;
	int rc;

	if (!sid || !cs)
		return httpd_respondf(req, 400, "CallSid and CallStatus are "
		    "required");
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(id, "store: %s", err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	/* Twilio sends a callback again when our answer is slow or lost;
	 * a call passes each status once, so the pair names the callback. */
	snprintf(cb, sizeof cb, "%.80s/%.40s", sid, cs);
	rc = store_event_once(st, id, "call-status", "twilio", json_pack(
	    "{s:s, s:s, s:s?, s:s}", "sid", sid, "status", cs, "duration", dur,
	    "callback", cb), "callback", err, sizeof err);
	if (rc == STORE_NOTFOUND)
		return httpd_respondf(req, 404, "no incident %s", id);
	if (rc < 0) {
		store_failed(s, req, err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	return twiml(req, voice_empty());
}

/* POST /api/twilio/voice/...: Twilio's, or 403. */
static int
post_voice(struct server *s, struct httpd_req *req, enum route r)
{
	const char *token = config_get("TWILIO_AUTH_TOKEN", NULL);
	const char *id = httpd_arg(req, "incident");
	struct twilio_param *p;
	size_t n;
	int rc;

	if (strcmp(req->method, "POST") != 0) {
		const char *h[] = { "Allow", "POST", NULL };
		return httpd_respond_error(req, 405, h, "method %s not "
		    "allowed: POST", req->method);
	}
	if (!token || !s->oc.public_url[0])
		return httpd_respondf(req, 503, "Twilio webhooks are not "
		    "configured: TWILIO_AUTH_TOKEN and INC_PUBLIC_URL are "
		    "needed");
	if ((rc = voice_verify(req, s->oc.public_url, token, &p, &n)) <= 0) {
		if (rc < 0)
			return httpd_respondf(req, 500, "out of memory");
		log_warn(NULL, "%s: refused: X-Twilio-Signature is missing or "
		    "wrong", req->path);
		return httpd_respondf(req, 403, "X-Twilio-Signature is "
		    "missing or wrong");
	}
	if ((r == R_VOICE_ACK || r == R_VOICE_STATUS) && (!id ||
	    !id_valid(id)))
		rc = httpd_respondf(req, 400, "incident: an incident id is "
		    "required in the query");
	else if (r == R_VOICE_INBOUND)
		rc = twiml(req, voice_greeting(s->oc.public_url));
	else if (r == R_VOICE_ACK)
		rc = voice_ack(s, req, id, p, n);
	else if (r == R_VOICE_STATUS)
		rc = voice_status(s, req, id, p, n);
	else
		rc = voice_report_in(s, req, p, n, r);
	free(p);
	return rc;
}

/*
 * POST /api/twilio/outbound/call/incident-notification: one call, as
 * `inc-call --to --incident --message` places it.
 */
static int
post_call_notification(struct server *s, struct httpd_req *req)
{
	const char *to, *id, *sev, *msg;
	char err[1024];
	json_t *body, *call = NULL;
	int rc;

	/* A route that rings any number with any message is not left open
	 * to whoever reaches the port, even when the rest of the API is. */
	if (s->ntokens < 0)
		return httpd_respondf(req, 403, "this route places phone "
		    "calls: it needs INC_API_TOKENS_FILE and a bearer token");
	if (!(body = parse_body(req)))
		return 0;
	to = record_str(body, "toPhoneNumber");
	id = record_str(body, "incidentId");
	sev = record_str(body, "severity");
	msg = record_str(body, "message");
	if (!to || !oncall_number_valid(to))
		rc = httpd_respondf(req, 400, "toPhoneNumber: an E.164 number "
		    "is required");
	else if (!id || !id_valid(id))
		rc = httpd_respondf(req, 400, "incidentId: an incident id is "
		    "required");
	else if (!msg || !*msg)
		rc = httpd_respondf(req, 400, "message: a string is required");
	else if (!s->tw || !config_get("TWILIO_FROM", NULL) ||
	    !s->oc.public_url[0])
		rc = httpd_respondf(req, 503, "Twilio calls are not "
		    "configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
		    "TWILIO_FROM, INC_PUBLIC_URL)");
	else {
		struct dialing dl;
		struct oncall oc;

		store(s, req, err, sizeof err);
		dialer(s, req, &dl, &oc);
		if (!oc.tw || oncall_oneoff(&oc, id, to, sev, msg,
		    rfc3339_usec_now(), &call, NULL, err, sizeof err) < 0) {
			if (!oc.tw)
				snprintf(err, sizeof err, "out of memory");
			log_error(id, "call: %s", err);
			rc = httpd_respond(req, 502, json_pack("{s:s, s:O?}",
			    "error", err, "call", call), NULL);
		} else {
			log_info(id, "called %s: %s", record_str(call, "to"),
			    record_str(call, "sid"));
			rc = httpd_respond(req, 200, json_pack("{s:s?, s:s?, "
			    "s:s?, s:s}", "callSid", record_str(call, "sid"),
			    "status", record_str(call, "status"), "to",
			    record_str(call, "to"), "incidentId", id), NULL);
		}
		twilio_free(oc.tw);
	}
	json_decref(call);
	json_decref(body);
	return rc;
}

/* GET /api/health */
static int
get_health(struct server *s, struct httpd_req *req)
{
	char err[512], path[PATH_MAX + 8];
	json_t *errs = json_array();
	struct store *st;
	int64_t v;

	if (!(st = store(s, req, err, sizeof err)))
		json_array_append_new(errs, json_sprintf("store: %s", err));
	else if (store_kb_version(st, &v, err, sizeof err) < 0) {
		json_array_append_new(errs, json_sprintf("store: %s", err));
		store_failed(s, req, err);
	}
	snprintf(path, sizeof path, "%s/tmp", s->spool);
	if (access(path, W_OK) < 0)
		json_array_append_new(errs, json_sprintf("spool %s: %s", path,
		    strerror(errno)));
	snprintf(path, sizeof path, "%s/new", s->spool);
	if (access(path, W_OK) < 0)
		json_array_append_new(errs, json_sprintf("spool %s: %s", path,
		    strerror(errno)));
	if (json_array_size(errs) == 0) {
		json_decref(errs);
		return httpd_respond(req, 200, json_pack("{s:s}", "status",
		    "ok"), NULL);
	}
	return httpd_respond(req, 503, json_pack("{s:s, s:s, s:o}", "status",
	    "unavailable", "error", json_string_value(json_array_get(errs,
	    0)), "errors", errs), NULL);
}

/* The spool writers' figures: how fast this disk makes a report durable. */
static void
spool_metrics(FILE *f, struct spool_batch *b)
{
	struct spool_batch_stats st;
	unsigned long cum = 0;

	spool_batch_stats(b, &st);
	fprintf(f, "# HELP inc_spool_write_seconds Time to write a spool "
	    "entry durably (fsyncs included).\n"
	    "# TYPE inc_spool_write_seconds histogram\n");
	for (int i = 0; i < SPOOL_NBUCKETS; i++) {
		cum += st.le[i];
		fprintf(f, "inc_spool_write_seconds_bucket{le=\"%g\"} %lu\n",
		    spool_commit_buckets[i], cum);
	}
	fprintf(f, "inc_spool_write_seconds_bucket{le=\"+Inf\"} %lu\n"
	    "inc_spool_write_seconds_sum %.6f\n"
	    "inc_spool_write_seconds_count %lu\n"
	    "# HELP inc_spool_reports_total Reports written to the spool "
	    "(an entry holds those that arrived together).\n"
	    "# TYPE inc_spool_reports_total counter\n"
	    "inc_spool_reports_total %lu\n"
	    "# HELP inc_spool_write_errors_total Spool entries that could "
	    "not be written (their reports were answered 503).\n"
	    "# TYPE inc_spool_write_errors_total counter\n"
	    "inc_spool_write_errors_total %lu\n", st.entries, st.seconds,
	    st.entries, st.reports, st.failed);
}

/* GET /metrics: the Prometheus text format, version 0.0.4. */
static int
get_metrics(struct server *s, struct httpd_req *req)
{
	char *text = NULL, err[512];
	size_t len = 0, depth;
	FILE *f = open_memstream(&text, &len);
	unsigned long cum = 0;
	struct store *st;
	json_t *stats = NULL, *sev;
	const char *k;
	json_t *v;
	int ok, rc;

	if (!f)
		return httpd_respondf(req, 500, "out of memory");
	pthread_mutex_lock(&s->mlock);
	fprintf(f, "# HELP inc_http_requests_total HTTP requests answered.\n"
	    "# TYPE inc_http_requests_total counter\n");
	for (int i = 0; i < s->ncounters; i++)
		fprintf(f, "inc_http_requests_total{route=\"%s\",status="
		    "\"%d\"} %lu\n", route_names[s->counters[i].r],
		    s->counters[i].status, s->counters[i].n);
	fprintf(f, "# HELP inc_http_request_duration_seconds Time to "
	    "answer a request.\n"
	    "# TYPE inc_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++) {
		cum += s->hist[i];
		fprintf(f, "inc_http_request_duration_seconds_bucket{le=\"%g\"}"
		    " %lu\n", buckets[i], cum);
	}
	fprintf(f, "inc_http_request_duration_seconds_bucket{le=\"+Inf\"} "
	    "%lu\ninc_http_request_duration_seconds_sum %.6f\n"
	    "inc_http_request_duration_seconds_count %lu\n", s->hist_n,
	    s->hist_sum, s->hist_n);
	pthread_mutex_unlock(&s->mlock);
	spool_metrics(f, s->batch);
	depth = spool_depth(s, &ok);
	if (ok)
		fprintf(f, "# HELP inc_spool_depth Spool entries waiting "
		    "(new and cur).\n# TYPE inc_spool_depth gauge\n"
		    "inc_spool_depth %zu\n", depth);
	if ((st = store(s, req, err, sizeof err))) {
		rc = store_stats(st, NULL, &stats, err, sizeof err);
		if (rc < 0)
			store_failed(s, req, err);
	}
	if (stats && json_is_object(sev = json_object_get(stats,
	    "by_severity"))) {
		fprintf(f, "# HELP inc_incidents Incidents in the store by "
		    "severity.\n# TYPE inc_incidents gauge\n");
		json_object_foreach(sev, k, v)
			fprintf(f, "inc_incidents{severity=\"%s\"} %lld\n", k,
			    (long long)json_integer_value(v));
	}
	json_decref(stats);
	fclose(f);
	rc = httpd_respond_text(req, 200, "text/plain; version=0.0.4", text,
	    len);
	free(text);
	return rc;
}

/* GET /api/knowledge/search?query=...&maxResults=5 */
static int
get_knowledge(struct server *s, struct httpd_req *req)
{
	const char *q = httpd_arg(req, "query");
	char err[512], path[PATH_MAX];
	struct vindex_hit hits[50];
	const char *t[2] = { "", q };
	size_t l[2];
	struct vindex *ix;
	struct store *st;
	json_t *results;
	float *v;
	long k;
	int n;

	if (!q || !*q)
		return httpd_respondf(req, 400, "query: required");
	if (arg_long(req, "maxResults", 5, 1, 50, &k) < 0)
		return 0;
	if (!s->model) {
		const char *mf = config_get("INC_EMBED_MODEL_FILE", NULL);
		if (mf)
			snprintf(path, sizeof path, "%s", mf);
		else
			snprintf(path, sizeof path, "%.4000s/embed/local.model",
			    config_state_dir());
		if (!(s->model = embed_model_load(path, err, sizeof err))) {
			log_error(NULL, "embedding model: %s", err);
			return httpd_respondf(req, 503, "no embedding model: "
			    "load the knowledge base with inc-embed --fit");
		}
	}
	if (!(st = store(s, req, err, sizeof err))) {
		log_error(NULL, "store: %s", err);
		return httpd_respondf(req, 503, "store unavailable");
	}
	/* inc-match's defaults (all kinds, the most common model), so the
	 * two share one index file. */
	if (!s->kb && !(s->kb = kbindex_new(KBINDEX_ALL, NULL)))
		return httpd_respondf(req, 500, "out of memory");
	if (kbindex_refresh(s->kb, st, 0, err, sizeof err) < 0) {
		store_failed(s, req, err);
		return httpd_respondf(req, 503, "knowledge base unavailable");
	}
	if (kbindex_warning(s->kb))
		log_warn(NULL, "%s", kbindex_warning(s->kb));
	ix = kbindex_index(s->kb);
	if (vindex_size(ix) > 0 && strcmp(vindex_model(ix),
	    embed_model_id(s->model)) != 0) {
		/* The model may have been fitted again: read it anew next
		 * time. */
		char mid[EMBED_ID_MAX];
		snprintf(mid, sizeof mid, "%s", embed_model_id(s->model));
		embed_model_free(s->model);
		s->model = NULL;
		return httpd_respondf(req, 503, "the knowledge base is "
		    "embedded with %s, the model file is %s: embed both with "
		    "one model", vindex_model(ix), mid);
	}
	results = json_array();
	n = 0;
	if (vindex_size(ix) > 0 && vindex_dim(ix) ==
	    embed_model_dim(s->model)) {
		if (!(v = malloc((size_t)vindex_dim(ix) * sizeof *v))) {
			json_decref(results);
			return httpd_respondf(req, 500, "out of memory");
		}
		l[0] = 0;
		l[1] = strlen(q);
		if (embed_fields(s->model, t, l, 2, v) == 0)
			n = vindex_search(ix, v, (int)k, hits);
		free(v);
	}
	for (int i = 0; i < n; i++) {
		size_t len;
		const char *doc = vindex_doc(ix, hits[i].i, &len);
		json_t *d = json_loadb(doc, len, 0, NULL);
		json_t *r;
		if (!d)
			continue;
		r = json_pack("{s:O?, s:O?, s:O?, s:O?, s:f}", "id",
		    json_object_get(d, "id"), "title",
		    json_object_get(d, "title"), "severity",
		    json_object_get(d, "severity"), "resolution",
		    json_object_get(d, "resolution"), "score",
		    (double)hits[i].score);
		json_decref(d);
		if (r)
			json_array_append_new(results, r);
	}
	return httpd_respond(req, 200, json_pack("{s:s, s:o}", "query", q,
	    "results", results), NULL);
}

/* Routing */

static enum route
route_of(const char *path)
{
	static const struct { const char *path; enum route r; } fixed[] = {
		{ "/api/v1/incidents", R_INCIDENTS },
		{ "/api/v1/incidents/stats", R_STATS },
		{ "/api/v1/alerts/alertmanager", R_ALERTMANAGER },
		{ "/api/v1/alerts/grafana", R_GRAFANA },
		{ "/api/health", R_HEALTH },
		{ "/metrics", R_METRICS },
		{ "/api/knowledge/search", R_KNOWLEDGE },
		{ "/api/slack/actions", R_SLACK_ACTIONS },
		{ "/api/twilio/voice/inbound", R_VOICE_INBOUND },
		{ "/api/twilio/voice/inbound/speech", R_VOICE_SPEECH },
		{ "/api/twilio/voice/inbound/recording", R_VOICE_RECORDING },
		{ "/api/twilio/voice/ack", R_VOICE_ACK },
		{ "/api/twilio/voice/status", R_VOICE_STATUS },
		{ "/api/twilio/outbound/call/incident-notification",
		    R_CALL_NOTIFY },
	};
	const char *p, *slash;

	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		if (strcmp(path, fixed[i].path) == 0)
			return fixed[i].r;
	if (strncmp(path, "/api/v1/incidents/", 18) != 0)
		return R_NONE;
	p = path + 18;
	if (!*p)
		return R_NONE;
	if (!(slash = strchr(p, '/')))
		return R_INCIDENT;
	if (strcmp(slash, "/status") == 0)
		return R_STATUS;
	if (strcmp(slash, "/ack") == 0)
		return R_ACK;
	if (strcmp(slash, "/resolve") == 0)
		return R_RESOLVE;
	return R_NONE;
}

/* The methods of each route, as the Allow header lists them. */
static const char *
allowed(enum route r)
{
	switch (r) {
	case R_INCIDENTS:
		return "GET, POST";
	case R_ACK: case R_RESOLVE: case R_ALERTMANAGER: case R_GRAFANA:
	case R_SLACK_ACTIONS: case R_CALL_NOTIFY:
		return "POST";
	default:
		return "GET";
	}
}

static int
method_ok(enum route r, const char *method)
{
	const char *a = allowed(r);

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	return strstr(a, method) != NULL;
}

static int
dispatch(struct server *s, struct httpd_req *req, enum route r)
{
	const char *ct;
	char id[ID_MAX + 1];

	if (r == R_NONE)
		return httpd_respondf(req, 404, "no such resource: %.200s",
		    req->path);
	/* Slack signs its requests instead of sending a token, and sends
	 * a form. */
	if (r == R_SLACK_ACTIONS)
		return post_slack_action(s, req);
	/* So does Twilio. */
	if (r >= R_VOICE_INBOUND && r <= R_VOICE_STATUS)
		return post_voice(s, req, r);
	/* The health check stays open for load balancers and systemd. */
	if (r != R_HEALTH && r != R_METRICS && !authorized(s, req)) {
		const char *h[] = { "WWW-Authenticate", "Bearer", NULL };
		return httpd_respond_error(req, 401, h, "a valid bearer token "
		    "is required (Authorization: Bearer TOKEN)");
	}
	if (!method_ok(r, req->method)) {
		const char *h[] = { "Allow", allowed(r), NULL };
		return httpd_respond_error(req, 405, h, "method %s not "
		    "allowed: %s", req->method, allowed(r));
	}
	if (r == R_INCIDENT || r == R_STATUS || r == R_ACK ||
	    r == R_RESOLVE) {
		path_id(req->path, id, sizeof id);
		if (!id[0])
			return httpd_respondf(req, 404, "not an incident id");
	}
	if (strcmp(req->method, "POST") == 0 && (req->len ||
	    r != R_ACK)) {
		ct = httpd_header(req, "Content-Type");
		if (!httpd_is_json_type(ct))
			return httpd_respondf(req, 415, "Content-Type must "
			    "be application/json, not %.100s",
			    ct ? ct : "none");
	}
	switch (r) {
	case R_INCIDENTS:
		return req->method[0] == 'P' ? post_incident(s, req) :
		    list_incidents(s, req);
	case R_INCIDENT:
		return get_incident(s, req, 0);
	case R_STATUS:
		return get_incident(s, req, 1);
	case R_ACK: case R_RESOLVE:
		return post_lifecycle(s, req, r);
	case R_STATS:
		return get_stats(s, req);
	case R_ALERTMANAGER: case R_GRAFANA:
		return post_alert(s, req, r);
	case R_HEALTH:
		return get_health(s, req);
	case R_METRICS:
		return get_metrics(s, req);
	case R_KNOWLEDGE:
		return get_knowledge(s, req);
	case R_CALL_NOTIFY:
		return post_call_notification(s, req);
	default:
		return httpd_respondf(req, 404, "no such resource");
	}
}

static void
count(struct server *s, enum route r, int status, double secs)
{
	int i;
	size_t b;

	pthread_mutex_lock(&s->mlock);
	for (i = 0; i < s->ncounters; i++)
		if (s->counters[i].r == r && s->counters[i].status == status)
			break;
	if (i == s->ncounters && i < (int)(sizeof s->counters /
	    sizeof s->counters[0])) {
		s->counters[i].r = r;
		s->counters[i].status = status;
		s->ncounters++;
	}
	if (i < s->ncounters)
		s->counters[i].n++;
	for (b = 0; b < NBUCKETS && secs > buckets[b]; b++)
		;
	s->hist[b]++;
	s->hist_sum += secs;
	s->hist_n++;
	pthread_mutex_unlock(&s->mlock);
}

/* Each answer, as it leaves (the event loop). */
static void
counted(const struct httpd_req *req, double secs, void *arg)
{
	count(arg, route_of(req->path), req->status, secs);
}

/*
 * The routes the event loop answers itself, since they only read the
 * store (when it is local), the spool index and the request: a report,
 * an incident's state, health.  Every other one may wait on a network or
 * a long query, and goes to a worker.
 */
static int
quick(const struct server *s, const struct httpd_req *req, enum route r)
{
	switch (r) {
	case R_INCIDENTS:
		return req->method[0] == 'P' && s->loop_store;
	case R_INCIDENT: case R_STATUS: case R_HEALTH:
		return s->loop_store;
	case R_NONE:
		return 1;
	default:
		return 0;
	}
}

static int
handle(struct httpd_req *req, void *arg)
{
	struct server *s = arg;
	enum route r = route_of(req->path);

	if (!req->worker && !quick(s, req, r)) {
		httpd_to_worker(req);
		return 0;
	}
	return dispatch(s, req, r);
}

/* Start-up */

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_SPOOL = 256 };	/* 'S' is lib/cli's --strict */
	static const struct option longopts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "db", required_argument, NULL, 'd' },
		{ "spool", required_argument, NULL, O_SPOOL },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	struct cli_opts cli = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "l:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o->listen = optarg;
			break;
		case 'd':
			o->db = optarg;
			break;
		case O_SPOOL:
			o->spool = optarg;
			break;
		default:
			cli_option(c, USAGE, &cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
}

/* A setting in seconds or bytes; exits EX_CONFIG when it is bad. */
static long
setting(const char *key, long def, long min, long max)
{
	char err[256];
	long v;

	if (config_long(key, def, min, max, &v, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		exit(EX_CONFIG);
	}
	return v;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	static struct server srv;
	struct server *s = &srv;

	pthread_mutex_init(&s->mlock, NULL);
	struct httpd_opts ho = { 0 };
	struct httpd *h;
	char err[PATH_MAX + 256], where[128];
	const char *tf;
	int fd, sweeping = 0;

	log_init("inc-httpd");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (config_load(err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	log_configure();
	s->o = &o;
	if (incident_limits_load(&s->lim, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	ho.max_body = (size_t)setting("INC_HTTP_MAX_BODY", 1024 * 1024, 1,
	    1L << 30);
	ho.max_conns = (unsigned)setting("INC_HTTP_MAX_CONNECTIONS", 256, 1,
	    65536);
	ho.timeout = (unsigned)setting("INC_HTTP_TIMEOUT", 30, 1, 3600);
	ho.head_timeout = (unsigned)setting("INC_HTTP_HEAD_TIMEOUT", 10, 1,
	    3600);
	s->ntokens = -1;
	if ((tf = config_get("INC_API_TOKENS_FILE", NULL)) &&
	    load_tokens(s, tf) < 0)
		return EX_CONFIG;
	if (o.spool)
		snprintf(s->spool, sizeof s->spool, "%s", o.spool);
	else if (config_get("INC_SPOOL_DIR", NULL))
		snprintf(s->spool, sizeof s->spool, "%s",
		    config_get("INC_SPOOL_DIR", NULL));
	else
		snprintf(s->spool, sizeof s->spool, "%.4000s/spool",
		    config_state_dir());
	if (spool_init(s->spool, err, sizeof err) < 0) {
		log_error(NULL, "spool %s: %s", s->spool, err);
		return EX_CANTCREAT;
	}
	if (!(s->index = spool_index_new(s->spool))) {
		log_error(NULL, "spool %s: %s", s->spool, strerror(errno));
		return EX_IOERR;
	}
	/* One writer by default: on the project's test VM two fsyncs at once
	 * took three times as long each as one alone, and two writers kept
	 * two going whenever reports came in, so that at 5,000 reports/s the
	 * server fell behind (p50 0.6-1.2 s) in 4 of some 20 paced runs, one
	 * writer in none once the index sweep stopped blocking it.  More
	 * suit a disk that flushes in parallel. */
	if (!(s->batch = spool_batch_new(s->spool, (int)setting(
	    "INC_SPOOL_WRITERS", 1, 1, 16)))) {
		log_error(NULL, "spool writers: %s", strerror(errno));
		return EX_OSERR;
	}
	/* Twilio's client before the threads start (lib/http.h). */
	{
		int on;
		s->tw = twilio_new(0, &on, err, sizeof err);
		if ((!s->tw && on) || oncall_init(&s->oc, s->tw, NULL, 0, err,
		    sizeof err) < 0) {
			log_error(NULL, "%s", err);
			return EX_CONFIG;
		}
		s->oc.actor = "inc-httpd";
	}
	/* A store that is down now may be up later: say so, and serve. */
	if (!store(s, NULL, err, sizeof err))
		log_warn(NULL, "store: %s", err);
	/* A local SQLite read takes microseconds: the event loop may make
	 * it.  A PostgreSQL one is a round trip, for the workers. */
	else
		s->loop_store = strcmp(store_backend(s->st), "sqlite") == 0;
	if (httpd_socket(o.listen ? o.listen : config_get("INC_LISTEN",
	    "127.0.0.1:8080"), &fd, where, sizeof where, err,
	    sizeof err) < 0) {
		log_error(NULL, "listen %s", err);
		store_close(s->st);
		return EX_UNAVAILABLE;
	}
	ho.done = counted;
	if (!(h = httpd_start(fd, &ho, handle, s, err, sizeof err))) {
		log_error(NULL, "%s", err);
		store_close(s->st);
		return EX_UNAVAILABLE;
	}
	log_info(NULL, "listening on %s", where);
	while (!sig_stop) {
		/* A sweep of the spool index goes on every 20 ms, 2 ms at a
		 * time, so that it never takes a core from the requests. */
		struct timespec ts = { 0, (sweeping ? 20 : 250) * 1000000L };
		nanosleep(&ts, NULL);
		httpd_reap(h);
		sweeping = spool_index_tidy(s->index, 2);
		store_close(__atomic_exchange_n(&s->loop_dead, NULL,
		    __ATOMIC_ACQ_REL));
	}
	log_info(NULL, "stopping");
	httpd_stop(h);
	spool_batch_free(s->batch);
	spool_index_free(s->index);
	kbindex_free(s->kb);
	embed_model_free(s->model);
	oncall_free(&s->oc);
	twilio_free(s->tw);
	store_close(s->st);
	store_close(s->loop_st);
	store_close(s->loop_dead);
	return 0;
}
