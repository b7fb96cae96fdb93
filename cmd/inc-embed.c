/*
 * inc-embed: add an embedding to each record, for inc-match.
 *
 * The local embedder (lib/embed.h) needs no network and no download; with
 * --fit it first reads all its input, fits the idf on it (a knowledge
 * base) and saves the model beside the database.  --backend openai asks
 * any OpenAI-compatible /embeddings server instead, several records per
 * request and several requests in flight, in input order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "embed.h"
#include "fs.h"
#include "http.h"
#include "jscan.h"
#include "json.h"
#include "log.h"
#include "progress.h"
#include "record.h"
#include "sig.h"
#include "version.h"

#define USAGE \
	"usage: inc-embed [-q] [--fit] [--backend local|openai] " \
	"[--model-file file] [--dim n]\n" \
	"                 [--field name]... [--format base64|array] " \
	"[--batch n] [--dry-run]\n" \
	"                 [--strict] [--reject file]\n"

#define STAGE "inc-embed"
#define MAX_FIELDS 16

struct opts {
	struct cli_opts cli;
	int fit, openai, array;
	int backend_given;	/* --backend beats INC_EMBED_BACKEND */
	long dim, batch;
	const char *model_file;
	const char *fields[MAX_FIELDS];
	int nfields;
	enum progress_mode progress;
};

struct embedder {
	struct opts *o;
	struct record_stream *s;
	struct embed_model *model;	/* local */
	float *vec;
	json_t *held;			/* records waiting: fit, or a batch */
	/* openai */
	struct http_client *http;
	const char *api_model;
	char model_id[256];
	long concurrency;
	unsigned long done;
	/* the bulk path */
	struct jscan scan;
	struct json_buf out;
	char *text;
	size_t textcap;
};

/*
 * The text of a record to embed: title, description, --field values; from
 * the description on when from is 1 (the body, without the title).
 */
static char *
record_text(const struct opts *o, const json_t *rec, int from)
{
	static const char *base[] = { "title", "description" };
	size_t cap = 1024, len = 0;
	char *t = malloc(cap);

	if (!t)
		return NULL;
	t[0] = '\0';
	for (int i = from; i < 2 + o->nfields; i++) {
		const char *key = i < 2 ? base[i] : o->fields[i - 2];
		const json_t *v = json_object_get(rec, key);
		const json_t *e;
		size_t k, n = json_is_array(v) ? json_array_size(v) : 1;
		for (k = 0; k < n; k++) {
			e = json_is_array(v) ? json_array_get(v, k) : v;
			if (!json_is_string(e) || !json_string_length(e))
				continue;
			size_t sl = json_string_length(e);
			if (len + sl + 3 > cap) {
				char *nt;
				cap = (len + sl + 3) * 2;
				if (!(nt = realloc(t, cap))) {
					free(t);
					return NULL;
				}
				t = nt;
			}
			if (len) {
				memcpy(t + len, "\n\n", 2);
				len += 2;
			}
			memcpy(t + len, json_string_value(e), sl);
			len += sl;
			t[len] = '\0';
		}
	}
	if (len == 0) {
		free(t);
		return strdup("");
	}
	return t;
}

static void
set_embedding(const struct opts *o, json_t *rec, const char *model,
    const float *v, int dim)
{
	json_t *vec;

	if (o->array) {
		vec = json_array();
		for (int i = 0; i < dim; i++)
			json_array_append_new(vec, json_real(v[i]));
	} else {
		char *b = embed_b64_encode(v, dim);
		vec = json_string(b ? b : "");
		free(b);
	}
	json_object_set_new(rec, "embedding", json_pack("{s:s, s:i, s:o}",
	    "model", model, "dim", dim, "vector", vec));
}

/*
 * The local embedding of a title and a body: two fields with an equal
 * share (lib/embed.h, embed_fields).
 */
static int
local_vector(struct embedder *e, const char *title, size_t tlen,
    const char *body, size_t blen)
{
	const char *t[2] = { title, body };
	size_t l[2] = { tlen, blen };

	return embed_fields(e->model, t, l, 2, e->vec);
}

/* Local: one record, now. */
static void
embed_local(struct embedder *e, json_t *rec)
{
	const char *title = json_string_value(json_object_get(rec, "title"));
	char *body = record_text(e->o, rec, 1);

	if (!body || (!*body && (!title || !*title))) {
		record_add_error(rec, STAGE, "no text to embed: the record "
		    "has no title or description");
	} else if (local_vector(e, title, title ? strlen(title) : 0, body,
	    strlen(body)) < 0) {
		record_add_error(rec, STAGE, "no words to embed in the text");
	} else {
		set_embedding(e->o, rec, embed_model_id(e->model), e->vec,
		    embed_model_dim(e->model));
	}
	free(body);
}

/* An errors[] entry on a held record, counted for --strict. */
#define FAIL(rec, ...) do { \
	record_add_error((rec), STAGE, __VA_ARGS__); \
	e->s->n_failed++; \
} while (0)

/* OpenAI-compatible: the held records, in requests of --batch. */
static void
embed_remote(struct embedder *e)
{
	size_t n = json_array_size(e->held), nreq = 0, i;
	size_t per = (size_t)e->o->batch;
	struct http_request **reqs;
	char **texts;

	if (n == 0)
		return;
	reqs = calloc((n + per - 1) / per, sizeof *reqs);
	texts = calloc(n, sizeof *texts);
	if (!reqs || !texts) {
		free(reqs);
		free(texts);
		return;
	}
	for (i = 0; i < n; i += per) {
		json_t *input = json_array(), *body;
		for (size_t k = i; k < n && k < i + per; k++) {
			texts[k] = record_text(e->o, json_array_get(e->held,
			    k), 0);
			/* An empty input would fail the whole batch. */
			json_array_append_new(input, json_string(texts[k] &&
			    *texts[k] ? texts[k] : " "));
		}
		body = json_pack("{s:s, s:o}", "model", e->api_model,
		    "input", input);
		reqs[nreq] = http_request_new("POST", "embeddings");
		http_request_json(reqs[nreq], body);
		json_decref(body);
		nreq++;
	}
	http_run_all(e->http, reqs, nreq);
	for (size_t r = 0; r < nreq; r++) {
		const struct http_response *res =
		    http_request_response(reqs[r]);
		const json_t *data = res->json ?
		    json_object_get(res->json, "data") : NULL;
		for (size_t k = r * per; k < n && k < (r + 1) * per; k++) {
			json_t *rec = json_array_get(e->held, k);
			size_t at = k - r * per;
			const json_t *item = NULL, *d;
			size_t j;
			/* The request is printed once, whatever its
			 * records hold. */
			if (res->dry_run && at == 0) {
				char *req = json_dumps(res->dry_run,
				    JSON_COMPACT);
				if (req)
					fprintf(stderr, "%s\n", req);
				free(req);
			}
			if (!texts[k] || !*texts[k]) {
				FAIL(rec, "no text to embed:"
				    " the record has no title or description");
				continue;
			}
			if (res->dry_run) {
				json_object_set_new(rec, "embedding", json_pack(
				    "{s:s, s:b}", "model", e->model_id,
				    "dry_run", 1));
				continue;
			}
			if (res->err || res->status != 200) {
				if (res->err)
					FAIL(rec,
					    "embeddings: %s", res->error);
				else
					FAIL(rec,
					    "embeddings: HTTP %ld: %.200s",
					    res->status, res->body ? res->body :
					    "");
				continue;
			}
			/* Results are placed by their index: servers need
			 * not answer in order (protocols.md §5). */
			json_array_foreach(data, j, d)
				if (json_integer_value(json_object_get(d,
				    "index")) == (json_int_t)at)
					item = d;
			const json_t *emb = json_object_get(item, "embedding");
			size_t dim = json_array_size(emb);
			if (!json_is_array(emb) || dim == 0 || dim > 65536) {
				FAIL(rec, "embeddings: no "
				    "vector for input %zu in the answer", at);
				continue;
			}
			float *v = malloc(dim * sizeof *v);
			double norm = 0;
			for (size_t x = 0; v && x < dim; x++) {
				v[x] = (float)json_number_value(
				    json_array_get(emb, x));
				norm += (double)v[x] * v[x];
			}
			if (!v || norm == 0) {
				FAIL(rec, "embeddings: a "
				    "zero vector for input %zu", at);
				free(v);
				continue;
			}
			/* Unit length, so inner products are cosines. */
			for (size_t x = 0; x < dim; x++)
				v[x] = (float)(v[x] / sqrt(norm));
			set_embedding(e->o, rec, e->model_id, v, (int)dim);
			free(v);
		}
		http_request_free(reqs[r]);
	}
	for (i = 0; i < n; i++)
		free(texts[i]);
	free(texts);
	free(reqs);
}

/*
 * The bulk path, local backend: embed a plain line from its raw strings
 * and write it on with the embedding appended, without jansson.  0 sends
 * the line the usual way (anything unusual, and every error).
 */
static int
fast_line(const char *line, size_t len, void *arg)
{
	static const char *drop[] = { "embedding" };
	static const char *base[] = { "title", "description" };
	struct embedder *e = arg;
	const struct opts *o = e->o;
	size_t tl = 0;
	char add[160], *b64;
	int n, dim;

	if (o->fit || o->openai || o->array ||
	    !jscan_object(&e->scan, line, len))
		return 0;
	if (e->textcap < len + 4) {
		char *t = realloc(e->text, len + 4);
		if (!t)
			return 0;
		e->text = t;
		e->textcap = len + 4;
	}
	size_t title_len = 0;
	for (int i = 0; i < 2 + o->nfields; i++) {
		const struct jscan_key *k = jscan_get(&e->scan,
		    i < 2 ? base[i] : o->fields[i - 2]);
		size_t rl;
		const char *raw;
		if (i == 1)
			title_len = tl;	/* the title ends, the body starts */
		if (!k)
			continue;
		if (k->type != '"')
			return 0;	/* arrays of strings: the slow path */
		raw = jscan_str(&e->scan, k, &rl);
		if (rl == 0)
			continue;
		if (tl > title_len) {
			memcpy(e->text + tl, "\n\n", 2);
			tl += 2;
		}
		tl += k->escaped ? jscan_unescape(raw, rl, e->text + tl) :
		    (memcpy(e->text + tl, raw, rl), rl);
	}
	if (tl == 0 || local_vector(e, e->text, title_len, e->text +
	    title_len, tl - title_len) < 0)
		return 0;
	dim = embed_model_dim(e->model);
	if (!(b64 = embed_b64_encode(e->vec, dim)))
		return 0;
	n = snprintf(add, sizeof add, "\"embedding\":{\"model\":\"%s\","
	    "\"dim\":%d,\"vector\":\"", embed_model_id(e->model), dim);
	e->out.len = 0;
	if (json_buf_put(&e->out, add, (size_t)n) < 0 ||
	    json_buf_put(&e->out, b64, strlen(b64)) < 0 ||
	    json_buf_put(&e->out, "\"}", 2) < 0) {
		free(b64);
		return 0;
	}
	free(b64);
	/* The members go in a second buffer: jscan_emit appends. */
	static struct json_buf line_out;
	line_out.len = 0;
	if (jscan_emit(&line_out, &e->scan, drop, 1, e->out.data,
	    e->out.len) < 0 || json_buf_put(&line_out, "\n", 1) < 0)
		return 0;
	/* Written, or failed for good: never twice. */
	record_stream_write(e->s, line_out.data, line_out.len);
	e->done++;
	progress_update(e->done, e->s->n_malformed);
	return 1;
}

static void
emit_held(struct embedder *e)
{
	size_t i;
	json_t *rec;

	json_array_foreach(e->held, i, rec) {
		record_stream_emit(e->s, rec);
		e->done++;
	}
	json_array_clear(e->held);
	progress_update(e->done, e->s->n_malformed);
}

/* Before a read would block: send what is held (not when fitting). */
static void
flush_held(void *arg)
{
	struct embedder *e = arg;

	if (e->o->fit || !e->o->openai)
		return;
	embed_remote(e);
	emit_held(e);
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct embedder *e = arg;

	if (e->o->fit || e->o->openai) {
		json_array_append(e->held, rec);
		if (e->o->openai && !e->o->fit && json_array_size(e->held) >=
		    (size_t)(e->o->batch * e->concurrency))
			flush_held(e);
		return RECORD_TAKEN;
	}
	embed_local(e, rec);
	e->done++;
	progress_update(e->done, e->s->n_malformed);
	return RECORD_PASS;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "fit", no_argument, NULL, 'F' },
		{ "backend", required_argument, NULL, 'b' },
		{ "model-file", required_argument, NULL, 'M' },
		{ "dim", required_argument, NULL, 'd' },
		{ "field", required_argument, NULL, 'f' },
		{ "format", required_argument, NULL, 'o' },
		{ "batch", required_argument, NULL, 'B' },
		CLI_OPT_DRY_RUN,
		CLI_OPT_STRICT,
		CLI_OPT_REJECT,
		CLI_OPT_QUIET,
		{ "progress", no_argument, NULL, 'P' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "qhVn", longopts, NULL)) != -1) {
		switch (c) {
		case 'F':
			o->fit = 1;
			break;
		case 'b':
			o->backend_given = 1;
			if (strcmp(optarg, "openai") == 0)
				o->openai = 1;
			else if (strcmp(optarg, "local") != 0)
				cli_usage_error(USAGE,
				    "--backend: local or openai: ",
				    optarg);
			break;
		case 'M':
			o->model_file = optarg;
			break;
		case 'd':
			o->dim = strtol(optarg, &end, 10);
			if (*end || o->dim < 8 || o->dim > 4096)
				cli_usage_error(USAGE,
				    "--dim: must be 8..4096: ", optarg);
			break;
		case 'f':
			if (o->nfields == MAX_FIELDS)
				cli_usage_error(USAGE,
				    "--field: at most 16", "");
			o->fields[o->nfields++] = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "array") == 0)
				o->array = 1;
			else if (strcmp(optarg, "base64") != 0)
				cli_usage_error(USAGE,
				    "--format: base64 or array: ",
				    optarg);
			break;
		case 'B':
			o->batch = strtol(optarg, &end, 10);
			if (*end || o->batch < 1 || o->batch > 2048)
				cli_usage_error(USAGE,
				    "--batch: must be 1..2048: ",
				    optarg);
			break;
		case 'q':
			o->progress = PROGRESS_OFF;
			break;
		case 'P':
			o->progress = PROGRESS_ON;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	cli_no_operands(argc, argv, USAGE);
	if (o->fit && o->openai)
		cli_usage_error(USAGE,
		    "--fit: only the local backend has a model to fit",
		    "");
}

/* The model file: --model-file, INC_EMBED_MODEL_FILE, or the state dir. */
static const char *
model_path(const struct opts *o)
{
	static char path[PATH_MAX];
	const char *p = o->model_file ? o->model_file :
	    config_get("INC_EMBED_MODEL_FILE", NULL);

	if (p)
		return p;
	snprintf(path, sizeof path, "%s/embed/local.model",
	    config_state_dir());
	return path;
}

static int
setup_openai(struct embedder *e, char *err, size_t errlen)
{
	const char *url = config_get("INC_EMBED_URL",
	    config_get("OPENAI_BASE_URL", "https://api.openai.com/v1"));
	const char *key = config_get("OPENAI_API_KEY", NULL);
	long attempts;

	e->api_model = config_get("INC_EMBED_MODEL", "text-embedding-3-small");
	snprintf(e->model_id, sizeof e->model_id, "openai:%s", e->api_model);
	if (config_long("INC_EMBED_CONCURRENCY", 4, 1, 64, &e->concurrency,
	    err, errlen) < 0 ||
	    config_long("INC_EMBED_ATTEMPTS", HTTP_MAX_ATTEMPTS, 1, 20,
	    &attempts, err, errlen) < 0)
		return -1;
	if (!(e->http = http_client_new(url))) {
		snprintf(err, errlen, errno == ENOSYS ? "the openai backend "
		    "needs libcurl (libcurl4), which is not installed" :
		    "INC_EMBED_URL: not an http(s) URL");
		return -1;
	}
	if (key && http_client_set_bearer(e->http, key) < 0) {
		snprintf(err, errlen, "OPENAI_API_KEY: not a usable token");
		return -1;
	}
	http_client_set_concurrency(e->http, (int)e->concurrency);
	http_client_set_retry(e->http, (int)attempts, HTTP_MAX_WAIT_MS,
	    HTTP_BACKOFF_BASE_MS, HTTP_BACKOFF_CAP_MS);
	http_client_set_dry_run(e->http, e->o->cli.dry_run);
	return 0;
}

/* --fit: all records are in; fit, save, embed, write. */
static int
fit_and_emit(struct embedder *e)
{
	const char *path = model_path(e->o);
	char why[PATH_MAX + 128], dir[PATH_MAX], *slash;
	size_t i;
	json_t *rec;

	size_t n_text = 0;

	json_array_foreach(e->held, i, rec) {
		char *text = record_text(e->o, rec, 0);
		if (text && *text) {
			embed_fit_add(e->model, text, strlen(text));
			n_text++;
		}
		free(text);
	}
	if (n_text == 0) {
		log_error(NULL, "--fit: no record with text to fit the model "
		    "on");
		return EX_DATAERR;
	}
	embed_fit_done(e->model);
	if (!e->o->cli.dry_run) {
		snprintf(dir, sizeof dir, "%s", path);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			if (fs_mkdir_p(dir, 0700) < 0) {
				log_error(NULL, "%s: %s", dir, strerror(errno));
				return EX_CANTCREAT;
			}
		}
		if (embed_model_save(e->model, path, why, sizeof why) < 0) {
			log_error(NULL, "save model: %s", why);
			return EX_CANTCREAT;
		}
	}
	json_array_foreach(e->held, i, rec) {
		size_t before = record_error_count(rec);
		embed_local(e, rec);
		if (record_error_count(rec) > before)
			e->s->n_failed++;
	}
	emit_held(e);
	if (fflush(stdout) == EOF && errno != EPIPE)
		return EX_IOERR;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .batch = 64, .dim = 0 };
	struct record_stream s = { .stage = STAGE };
	struct embedder e = { .o = &o, .s = &s };
	char err[512];
	const char *backend;
	long dim;
	int rc = 0;

	log_init("inc-embed");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0 ||
	    config_long("INC_EMBED_DIM", EMBED_DIM_DEFAULT, 8, 4096, &dim,
	    err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	backend = config_get("INC_EMBED_BACKEND", "local");
	if (strcmp(backend, "local") != 0 && strcmp(backend, "openai") != 0) {
		log_error(NULL, "INC_EMBED_BACKEND: local or openai, not %.64s",
		    backend);
		return EX_CONFIG;
	}
	if (!o.backend_given && !o.fit && strcmp(backend, "openai") == 0)
		o.openai = 1;
	if (o.dim)
		dim = o.dim;
	if (o.openai) {
		if (setup_openai(&e, err, sizeof err) < 0) {
			log_error(NULL, "%s", err);
			rc = EX_CONFIG;
			goto out;
		}
	} else if (o.fit) {
		e.model = embed_model_new((int)dim);
	} else {
		const char *path = model_path(&o);
		if (access(path, F_OK) == 0) {
			if (!(e.model = embed_model_load(path, err,
			    sizeof err))) {
				log_error(NULL, "%s", err);
				rc = EX_CONFIG;
				goto out;
			}
		} else {
			/* No knowledge base fitted yet: plain tf weights,
			 * under a model id that says so. */
			e.model = embed_model_new((int)dim);
		}
	}
	if (e.model && !(e.vec = malloc((size_t)embed_model_dim(e.model) *
	    sizeof *e.vec))) {
		log_error(NULL, "out of memory");
		rc = EX_OSERR;
		goto out;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	e.held = json_array();
	s.out = stdout;
	s.flush = flush_held;
	s.flush_arg = &e;
	if (record_bulk_path())
		s.fast = fast_line;
	progress_init(o.progress);
	rc = record_stream_run(&s, 0, one, &e);
	if (o.fit && rc != EX_IOERR) {
		int frc = fit_and_emit(&e);
		if (frc)
			rc = frc;
		else if (rc == 0 && s.strict && s.n_failed)
			rc = 1;
	}
	progress_end();
out:
	cli_stream_close(&s);
	json_decref(e.held);
	embed_model_free(e.model);
	http_client_free(e.http);
	free(e.vec);
	free(e.text);
	jscan_free(&e.scan);
	json_buf_free(&e.out);
	return rc;
}
