/*
 * inc-classify: decide LOW, MEDIUM or HIGH for each incident, spending
 * language-model tokens only where the knowledge base cannot answer.
 *
 * RAG first: a close knowledge-base match (inc-match) gives the severity
 * and the fix, with no network.  Else Groq, then an OpenAI-compatible
 * fallback, asked for an answer in a strict JSON schema, several requests
 * in flight.  Else, or when they fail, an ordered rules file and the
 * signals senders put in metadata.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "classify.h"
#include "clock.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "record.h"
#include "sig.h"
#include "version.h"

#define USAGE \
	"usage: inc-classify [--method rag|llm|rules] [--threshold x] " \
	"[--rules file]\n" \
	"                    [--prompt file] [--dry-run] [--strict] " \
	"[--reject file]\n"

#define STAGE "inc-classify"
#define MAX_PROVIDERS 2

enum method { M_AUTO, M_RAG, M_LLM, M_RULES };

struct opts {
	enum method method;
	double threshold;
	struct cli_opts cli;
	int threshold_given;
	const char *rules, *prompt;
};

struct provider {
	const char *name;	/* "groq", "openai" */
	const char *model;
	double price_in, price_out;	/* USD per million tokens */
	struct http_client *http;
};

/* A record waiting for a language model. */
struct waiting {
	json_t *rec;
	int prov;		/* the provider it is at */
	int tries;		/* answers outside the schema so far there */
	char notes[512];	/* why earlier providers did not answer */
	int64_t t0;
	/* What every answer cost, the rejected ones included. */
	json_int_t tok_prompt, tok_completion;
	double cost;
};

struct classifier {
	struct opts *o;
	const char *missing;	/* providers without a key, for the notes */
	struct record_stream *s;
	struct classify_rules *rules;
	char *system_prompt;
	struct provider prov[MAX_PROVIDERS];
	int nprov;
	long concurrency;
	struct waiting *w;
	size_t nw, cap;
};

/* Put a classification on the record: its own key and the top level. */
static void
finish(json_t *rec, json_t *c, int64_t t0)
{
	if (!json_object_get(c, "model"))
		json_object_set_new(c, "model", json_null());
	if (!json_object_get(c, "tokens"))
		json_object_set_new(c, "tokens", json_pack("{s:i, s:i}",
		    "prompt", 0, "completion", 0));
	if (!json_object_get(c, "cost_usd"))
		json_object_set_new(c, "cost_usd", json_real(0));
	json_object_set_new(c, "ms", json_real((double)(clock_us() - t0) /
	    1000.0));
	json_object_set(rec, "severity", json_object_get(c, "severity"));
	json_object_set_new(rec, "classification", c);
}

/* Rules, with a note in errors[] when a better route was wanted. */
static void
by_rules(struct classifier *k, json_t *rec, const char *why, int64_t t0)
{
	json_t *c = classify_rules(k->rules, rec);

	if (why) {
		record_add_error(rec, STAGE, "%s: classified by rules", why);
		k->s->n_failed++;
	}
	finish(rec, c, t0);
}

/* The chat request for one record at one provider. */
static struct http_request *
chat_request(struct classifier *k, const struct provider *p, json_t *rec)
{
	char *user = classify_prompt(rec, 5);
	struct http_request *req = http_request_new("POST",
	    "chat/completions");
	json_t *body = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}], s:i,"
	    " s:i, s:{s:s, s:{s:s, s:b, s:o}}}", "model", p->model,
	    "messages", "role", "system", "content", k->system_prompt,
	    "role", "user", "content", user ? user : "",
	    "temperature", 0, "max_completion_tokens", 1024,
	    "response_format", "type", "json_schema", "json_schema",
	    "name", "incident_classification", "strict", 1, "schema",
	    classify_schema());

	/* protocols.md §4.2: only the JSON is wanted, not the reasoning. */
	if (strcmp(p->name, "groq") == 0)
		json_object_set_new(body, "include_reasoning", json_false());
	http_request_json(req, body);
	json_decref(body);
	free(user);
	return req;
}

/*
 * Read an answer; a new classification, or NULL with why.  The tokens of
 * every answer, accepted or not, are added to w's bill.
 */
static json_t *
read_answer(const struct provider *p, const struct http_response *r,
    struct waiting *w, char *why, size_t whylen)
{
	const json_t *choice, *usage;
	json_t *a;
	json_int_t pt, ct;

	if (r->err) {
		snprintf(why, whylen, "%s", r->error ? r->error : "failed");
		return NULL;
	}
	if (r->status != 200) {
		const char *m = json_string_value(json_object_get(
		    json_object_get(r->json, "error"), "message"));
		snprintf(why, whylen, "HTTP %ld%s%.160s", r->status,
		    m ? ": " : "", m ? m : "");
		return NULL;
	}
	usage = json_object_get(r->json, "usage");
	pt = json_integer_value(json_object_get(usage, "prompt_tokens"));
	ct = json_integer_value(json_object_get(usage, "completion_tokens"));
	w->tok_prompt += pt;
	w->tok_completion += ct;
	w->cost += (double)pt * p->price_in / 1e6 + (double)ct *
	    p->price_out / 1e6;
	choice = json_array_get(json_object_get(r->json, "choices"), 0);
	a = classify_answer(json_string_value(json_object_get(
	    json_object_get(choice, "message"), "content")), why, whylen);
	if (!a)
		return NULL;
	json_object_set_new(a, "method", json_string("llm"));
	json_object_set_new(a, "provider", json_string(p->name));
	json_object_set_new(a, "model", json_string(json_string_value(
	    json_object_get(r->json, "model")) ? json_string_value(
	    json_object_get(r->json, "model")) : p->model));
	json_object_set_new(a, "tokens", json_pack("{s:I, s:I}", "prompt",
	    w->tok_prompt, "completion", w->tok_completion));
	json_object_set_new(a, "cost_usd", json_real(w->cost));
	return a;
}

/* Ask the providers about every waiting record; write them in order. */
static void
run_llm(struct classifier *k)
{
	size_t left = k->nw;
	struct http_request **reqs = calloc(k->nw ? k->nw : 1, sizeof *reqs);
	size_t *who = calloc(k->nw ? k->nw : 1, sizeof *who);

	if (!reqs || !who)
		left = 0;
	/* Rounds: each record at its current provider; an answer outside
	 * the schema is asked again once, then the next provider. */
	while (left > 0) {
		for (int p = 0; p < k->nprov; p++) {
			size_t n = 0;
			for (size_t i = 0; i < k->nw; i++)
				if (k->w[i].rec && k->w[i].prov == p) {
					reqs[n] = chat_request(k, &k->prov[p],
					    k->w[i].rec);
					who[n++] = i;
				}
			if (n == 0)
				continue;
			http_run_all(k->prov[p].http, reqs, n);
			for (size_t j = 0; j < n; j++) {
				struct waiting *w = &k->w[who[j]];
				const struct http_response *r =
				    http_request_response(reqs[j]);
				char why[256];
				json_t *c;
				if (r->dry_run) {
					char *d = json_dumps(r->dry_run,
					    JSON_COMPACT);
					if (d)
						fprintf(stderr, "%s\n", d);
					free(d);
					c = classify_rules(k->rules, w->rec);
					json_object_set_new(c, "dry_run",
					    json_true());
					finish(w->rec, c, w->t0);
					w->prov = -1;
				} else if ((c = read_answer(&k->prov[p], r,
				    w, why, sizeof why)) != NULL) {
					finish(w->rec, c, w->t0);
					w->prov = -1;
				} else if (strncmp(why, "answer", 6) == 0 &&
				    w->tries++ == 0) {
					/* Asked once more, same provider. */
				} else {
					size_t l = strlen(w->notes);
					snprintf(w->notes + l, sizeof w->notes -
					    l, "%s%s: %s", l ? "; " : "",
					    k->prov[p].name, why);
					w->prov++;
					w->tries = 0;
				}
				http_request_free(reqs[j]);
			}
		}
		left = 0;
		for (size_t i = 0; i < k->nw; i++) {
			struct waiting *w = &k->w[i];
			if (!w->rec || w->prov < 0)
				continue;
			if (w->prov >= k->nprov) {
				size_t l = strlen(w->notes);
				if (k->missing)
					snprintf(w->notes + l, sizeof w->notes -
					    l, "; %s", k->missing);
				by_rules(k, w->rec, w->notes, w->t0);
				/* The failed answers were paid for all the
				 * same: the bill stays on the record. */
				json_t *c = json_object_get(w->rec,
				    "classification");
				json_object_set_new(c, "tokens", json_pack(
				    "{s:I, s:I}", "prompt", w->tok_prompt,
				    "completion", w->tok_completion));
				json_object_set_new(c, "cost_usd",
				    json_real(w->cost));
				w->prov = -1;
			} else {
				left++;
			}
		}
	}
	for (size_t i = 0; i < k->nw; i++) {
		if (!k->w[i].rec)
			continue;
		if (k->w[i].prov >= 0)	/* out of memory above */
			by_rules(k, k->w[i].rec, "no memory for the request",
			    k->w[i].t0);
		record_stream_emit(k->s, k->w[i].rec);
		json_decref(k->w[i].rec);
	}
	k->nw = 0;
	free(reqs);
	free(who);
}

static void
flush_llm(void *arg)
{
	run_llm(arg);
}

/* Room for one more waiting record; 0 when memory ran out. */
static int
room(struct classifier *k)
{
	size_t cap;
	struct waiting *w;

	if (k->nw < k->cap)
		return 1;
	cap = k->cap ? k->cap * 2 : 64;
	if (!(w = realloc(k->w, cap * sizeof *w)))
		return 0;
	k->w = w;
	k->cap = cap;
	return 1;
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct classifier *k = arg;
	enum method m = k->o->method;
	int64_t t0 = clock_us();
	const char *st = record_str(rec, "status");
	json_t *c;

	/* An incident someone has taken on comes back through the pipe
	 * only to carry its new status to the integrations (inc-httpd
	 * spools it again): its severity was decided and acted on, and a
	 * second opinion would cost a model call per click. */
	if (m == M_AUTO && st && (strcmp(st, "acknowledged") == 0 ||
	    strcmp(st, "resolved") == 0) &&
	    json_is_object(json_object_get(rec, "classification")))
		goto pass;
	if (m == M_AUTO || m == M_RAG) {
		if ((c = classify_rag(rec, k->o->threshold)) != NULL) {
			finish(rec, c, t0);
			goto pass;
		}
		if (m == M_RAG) {
			by_rules(k, rec, "no knowledge-base match scores at "
			    "least the threshold", t0);
			goto pass;
		}
	}
	if (m == M_RULES || k->nprov == 0) {
		by_rules(k, rec, m == M_LLM ? "no language model is "
		    "configured (GROQ_API_KEY, OPENAI_API_KEY)" : NULL, t0);
		goto pass;
	}
	/* To a language model: held, so that many are in flight. */
	if (!room(k)) {
		by_rules(k, rec, "out of memory", t0);
		goto pass;
	}
	k->w[k->nw++] = (struct waiting){ .rec = json_incref(rec), .t0 = t0 };
	if (k->nw >= (size_t)k->concurrency * 4)
		run_llm(k);
	return RECORD_TAKEN;
pass:
	/* Order is kept: behind records that wait, a decided one waits too. */
	if (k->nw > 0) {
		if (!room(k)) {
			run_llm(k);
			return RECORD_PASS;
		}
		k->w[k->nw++] = (struct waiting){ .rec = json_incref(rec),
		    .prov = -1 };
		return RECORD_TAKEN;
	}
	return RECORD_PASS;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "method", required_argument, NULL, 'm' },
		{ "threshold", required_argument, NULL, 't' },
		{ "rules", required_argument, NULL, 'r' },
		{ "prompt", required_argument, NULL, 'p' },
		CLI_OPT_DRY_RUN,
		CLI_OPT_STRICT,
		CLI_OPT_REJECT,
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "rag") == 0)
				o->method = M_RAG;
			else if (strcmp(optarg, "llm") == 0)
				o->method = M_LLM;
			else if (strcmp(optarg, "rules") == 0)
				o->method = M_RULES;
			else
				cli_usage_error(USAGE,
				    "--method: rag, llm or rules: ",
				    optarg);
			break;
		case 't':
			o->threshold = strtod(optarg, &end);
			if (*end || o->threshold < -1 || o->threshold > 1)
				cli_usage_error(USAGE,
				    "--threshold: must be -1..1: ",
				    optarg);
			o->threshold_given = 1;
			break;
		case 'r':
			o->rules = optarg;
			break;
		case 'p':
			o->prompt = optarg;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
}

static int
number(const char *key, double def, double *out, char *err, size_t errlen)
{
	const char *v = config_get(key, NULL);
	char *end;

	*out = def;
	if (!v)
		return 0;
	*out = strtod(v, &end);
	if (*end || end == v || *out < 0) {
		snprintf(err, errlen, "%s: must be a number >= 0", key);
		return -1;
	}
	return 0;
}

/* Groq, then OpenAI: each present when its key is set. */
static int
setup_providers(struct classifier *k, char *err, size_t errlen)
{
	static const struct {
		const char *name, *key, *url, *url_def, *model, *model_def;
		const char *pin, *pout;
		double pin_def, pout_def;
	} def[MAX_PROVIDERS] = {
		{ "groq", "GROQ_API_KEY", "GROQ_BASE_URL",
		    "https://api.groq.com/openai/v1", "GROQ_MODEL",
		    "openai/gpt-oss-20b", "GROQ_PRICE_INPUT",
		    "GROQ_PRICE_OUTPUT", 0.075, 0.30 },
		{ "openai", "OPENAI_API_KEY", "OPENAI_BASE_URL",
		    "https://api.openai.com/v1", "OPENAI_MODEL", "gpt-4o-mini",
		    "OPENAI_PRICE_INPUT", "OPENAI_PRICE_OUTPUT", 0.15, 0.60 },
	};
	long timeout, attempts;

	if (config_long("INC_LLM_TIMEOUT_MS", 10000, 100, 600000, &timeout,
	    err, errlen) < 0 ||
	    config_long("INC_LLM_ATTEMPTS", 3, 1, 20, &attempts, err,
	    errlen) < 0 ||
	    config_long("INC_LLM_CONCURRENCY", 16, 1, 256, &k->concurrency,
	    err, errlen) < 0)
		return -1;
	for (int i = 0; i < MAX_PROVIDERS; i++) {
		const char *key = config_get(def[i].key, NULL);
		struct provider *p = &k->prov[k->nprov];
		if (!key) {
			k->missing = i == 0 ? "groq: not configured" :
			    k->missing ? "groq, openai: not configured" :
			    "openai: not configured";
			continue;
		}
		p->name = def[i].name;
		p->model = config_get(def[i].model, def[i].model_def);
		if (number(def[i].pin, def[i].pin_def, &p->price_in, err,
		    errlen) < 0 || number(def[i].pout, def[i].pout_def,
		    &p->price_out, err, errlen) < 0)
			return -1;
		if (!(p->http = http_client_new(config_get(def[i].url,
		    def[i].url_def)))) {
			snprintf(err, errlen, errno == ENOSYS ? "%s needs "
			    "libcurl (libcurl4), which is not installed" :
			    "%s: not an http(s) URL", errno == ENOSYS ?
			    def[i].name : def[i].url);
			return -1;
		}
		if (http_client_set_bearer(p->http, key) < 0) {
			snprintf(err, errlen, "%s: not a usable key",
			    def[i].key);
			return -1;
		}
		http_client_set_timeouts(p->http, timeout < 5000 ? timeout :
		    5000, timeout);
		http_client_set_retry(p->http, (int)attempts, 30000,
		    HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS);
		http_client_set_concurrency(p->http, (int)k->concurrency);
		http_client_set_dry_run(p->http, k->o->cli.dry_run);
		k->nprov++;
	}
	return 0;
}

static char *
slurp(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f || getdelim(&buf, &len, '\0', f) < 0) {
		snprintf(err, errlen, "%s: %s", path, f ? "empty" :
		    strerror(errno));
		free(buf);
		buf = NULL;
	}
	if (f)
		fclose(f);
	return buf;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .threshold = 0.85 };
	struct record_stream s = { .stage = STAGE };
	struct classifier k = { .o = &o, .s = &s };
	char err[PATH_MAX + 256], path[PATH_MAX];
	const char *file;
	int rc = 0;

	log_init("inc-classify");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (!o.threshold_given) {
		const char *t = config_get("INC_RAG_THRESHOLD", NULL);
		char *end;
		if (t) {
			o.threshold = strtod(t, &end);
			if (*end || end == t || o.threshold < -1 ||
			    o.threshold > 1) {
				log_error(NULL, "INC_RAG_THRESHOLD: must be a "
				    "number in -1..1");
				return EX_CONFIG;
			}
		}
	}
	file = o.rules ? o.rules : config_get("INC_CLASSIFY_RULES",
	    config_share_path("classify/rules", path, sizeof path));
	if (!(k.rules = classify_rules_load(file, err, sizeof err))) {
		log_error(NULL, "rules %s", err);
		return EX_CONFIG;
	}
	if (setup_providers(&k, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		rc = EX_CONFIG;
		goto out;
	}
	if (k.nprov > 0) {
		file = o.prompt ? o.prompt : config_get("INC_CLASSIFY_PROMPT",
		    config_share_path("classify/prompt.txt", path,
		    sizeof path));
		if (!(k.system_prompt = slurp(file, err, sizeof err))) {
			log_error(NULL, "prompt %s", err);
			rc = EX_CONFIG;
			goto out;
		}
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	s.out = stdout;
	s.flush = flush_llm;
	s.flush_arg = &k;
	rc = record_stream_run(&s, 0, one, &k);
out:
	cli_stream_close(&s);
	for (int i = 0; i < k.nprov; i++)
		http_client_free(k.prov[i].http);
	classify_rules_free(k.rules);
	free(k.system_prompt);
	free(k.w);
	return rc;
}
