/*
 * inc-stt: turn phoned-in reports into text.
 *
 * An audio job (a record with audio.path, or audio.url for a Twilio
 * recording) gets its transcript as description, and stt says how it was
 * made.  Every other record passes untouched and at once: the recogniser
 * is loaded at the first audio job, so the stage costs a pipeline nothing
 * until someone calls.  Locally by default, with pocketsphinx and a
 * language model of our own knowledge base; or by Google Speech-to-Text.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "audio.h"
#include "clock.h"
#include "cli.h"
#include "config.h"
#include "http.h"
#include "id.h"
#include "log.h"
#include "record.h"
#include "rfc3339.h"
#include "sig.h"
#include "stt.h"
#include "version.h"

#define USAGE \
	"usage: inc-stt [--engine local|google] [--lm domain|generic|file] " \
	"[--dry-run]\n" \
	"               [--strict] [--reject file] [-q] [file ...]\n" \
	"       inc-stt --build-lm\n"

#define STAGE "inc-stt"
/* How often a running stage looks whether the knowledge base moved. */
#define RECHECK_US (60 * 1000000LL)
#define MAX_FETCH (64L * 1024 * 1024)

enum engine { E_UNSET, E_LOCAL, E_GOOGLE };

struct opts {
	enum engine engine;
	struct cli_opts cli;
	const char *lm;
	int build_lm;
};

struct stage {
	struct opts *o;
	struct record_stream *s;
	enum engine engine;
	char model_dir[PATH_MAX], lm_dir[PATH_MAX], kb_dir[PATH_MAX];
	char words[PATH_MAX], cmudict[PATH_MAX + 32], generic[PATH_MAX + 32];
	struct stt_domain_src dom;
	const char *lm;			/* domain, generic or a file */
	double generic_weight;		/* of the generic model in domain */
	double max_seconds;
	/* Local: loaded at the first audio job. */
	struct stt_local *local;
	int64_t checked_us;
	struct timespec lm_mtime;	/* of the domain model loaded */
	int warned;
	/* Google. */
	struct http_client *google;
	const char *language, *google_key;
	/* Recordings by URL: Twilio's with its credentials, others
	 * without, so that they never travel to another host. */
	struct http_client *twilio, *plain;
	char twilio_origin[512];
};

/* scheme://host[:port] of url, for telling Twilio's URLs apart. */
static void
origin(const char *url, char *out, size_t len)
{
	const char *p = strstr(url, "://");
	size_t n = p ? strcspn(p + 3, "/?#") + (size_t)(p + 3 - url) :
	    strlen(url);

	snprintf(out, len, "%.*s", (int)n, url);
}

/* The domain model up to date and the recogniser loaded with it. */
static int
load_local(struct stage *g, char *err, size_t errlen)
{
	char hmm[PATH_MAX + 16], lm[PATH_MAX + 32], dict[PATH_MAX + 32];
	int64_t t = clock_us();
	struct stt_domain dom;
	struct stat sb;

	if (g->local && (strcmp(g->lm, "domain") != 0 ||
	    t - g->checked_us < RECHECK_US))
		return 0;
	g->checked_us = t;
	snprintf(hmm, sizeof hmm, "%s/en-us", g->model_dir);
	if (strcmp(g->lm, "domain") == 0) {
		if (stt_domain_model(&g->dom, 0, &dom, err, errlen) < 0)
			return -1;
		if (dom.warning[0] && !g->warned++)
			log_warn(NULL, "domain language model: %s",
			    dom.warning);
		if (dom.rebuilt)
			log_info(NULL, "domain language model made from the "
			    "knowledge base: %zu words", dom.rep.vocab);
		/* Another inc-stt may have made it again: the file says. */
		if (stat(dom.lm, &sb) < 0)
			memset(&sb, 0, sizeof sb);
		if (g->local && !dom.rebuilt && sb.st_mtim.tv_sec ==
		    g->lm_mtime.tv_sec && sb.st_mtim.tv_nsec ==
		    g->lm_mtime.tv_nsec)
			return 0;
		g->lm_mtime = sb.st_mtim;
		snprintf(lm, sizeof lm, "%s", dom.lm);
		snprintf(dict, sizeof dict, "%s", dom.dict);
	} else if (strcmp(g->lm, "generic") == 0) {
		snprintf(lm, sizeof lm, "%s", g->generic);
		snprintf(dict, sizeof dict, "%s", g->cmudict);
	} else {
		/* A model of one's own: its dictionary beside it
		 * (x.lm, x.dic), else CMU's. */
		const char *dot = strrchr(g->lm, '.');
		const char *cfg = config_get("INC_STT_DICT", NULL);
		snprintf(lm, sizeof lm, "%s", g->lm);
		snprintf(dict, sizeof dict, "%.*s.dic", dot && !strchr(dot,
		    '/') ? (int)(dot - g->lm) : (int)strlen(g->lm), g->lm);
		if (cfg)
			snprintf(dict, sizeof dict, "%s", cfg);
		else if (access(dict, R_OK) != 0)
			snprintf(dict, sizeof dict, "%s", g->cmudict);
	}
	stt_local_free(g->local);
	/* The knowledge base does not say everything a caller says: the
	 * domain model is heard mixed with the generic one. */
	g->local = stt_local_new(hmm, lm, dict, strcmp(g->lm, "domain") ==
	    0 ? g->generic : NULL, g->generic_weight, err, errlen);
	if (g->local)
		log_debug(NULL, "recogniser loaded in %.0f ms",
		    (double)(clock_us() - t) / 1000.0);
	return g->local ? 0 : -1;
}

/* The recording at url, read into memory. */
static int
fetch(struct stage *g, const char *url, struct audio *a, char *err,
    size_t errlen)
{
	char o[512];
	struct http_client *c;
	struct http_request *req;
	const struct http_response *r;
	int rc = -1;

	if (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "audio.url: not an http(s) URL");
		return -1;
	}
	origin(url, o, sizeof o);
	c = g->twilio && strcmp(o, g->twilio_origin) == 0 ? g->twilio :
	    g->plain;
	if (!c) {
		snprintf(err, errlen, "fetching the recording: no HTTP client "
		    "(libcurl)");
		return -1;
	}
	if (!(req = http_request_new("GET", url))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	http_run(c, req);
	r = http_request_response(req);
	if (r->err)
		snprintf(err, errlen, "fetching the recording: %s", r->error);
	else if (r->status != 200)
		snprintf(err, errlen, "fetching the recording: HTTP %ld%s",
		    r->status, r->status == 401 && c == g->plain ? " (only "
		    "TWILIO_API_URL gets Twilio's credentials)" : "");
	else
		rc = audio_read(NULL, r->body, r->body_len, AUDIO_RATE,
		    g->max_seconds, a, err, errlen);
	http_request_free(req);
	return rc;
}

/* The first words of a transcript, for a record without a title. */
static char *
first_words(const char *text, int n)
{
	const char *p = text;

	while (*p && n > 0) {
		while (*p == ' ')
			p++;
		while (*p && *p != ' ')
			p++;
		n--;
	}
	return strndup(text, (size_t)(p - text));
}

static int
is_blank(const char *s)
{
	return !s || !*s || strspn(s, " \t\r\n") == strlen(s);
}

static void
print_dry_run(json_t *d)
{
	json_t *body = json_object_get(d, "body");
	json_t *au = json_object_get(body, "audio");
	const char *c = json_string_value(json_object_get(au, "content"));
	char *s;

	/* A minute of audio is a megabyte of base64: say how much. */
	if (c) {
		char note[64];
		snprintf(note, sizeof note, "(%zu bytes of base64)",
		    strlen(c));
		json_object_set_new(au, "content", json_string(note));
	}
	if ((s = json_dumps(d, JSON_COMPACT)))
		fprintf(stderr, "%s\n", s);
	free(s);
}

static int
by_google(struct stage *g, json_t *rec, const struct audio *a,
    struct stt_result *res, char *err, size_t errlen)
{
	struct http_request *req;
	const struct http_response *r;
	int rc;

	if (a->seconds > STT_GOOGLE_MAX_SECONDS) {
		snprintf(err, errlen, "google: the recording lasts %.0f s; "
		    "synchronous recognition takes at most %.0f s",
		    a->seconds, STT_GOOGLE_MAX_SECONDS);
		return -1;
	}
	if (!(req = stt_google_request(a, g->language))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (g->google_key)
		http_request_query(req, "key", g->google_key);
	http_run(g->google, req);
	r = http_request_response(req);
	if (r->dry_run) {
		print_dry_run(r->dry_run);
		json_object_set_new(rec, "stt", json_pack("{s:s, s:b}",
		    "engine", "google", "dry_run", 1));
		http_request_free(req);
		return 1;
	}
	rc = stt_google_answer(r, res, err, errlen);
	if (rc < 0) {
		char why[400];
		snprintf(why, sizeof why, "%.399s", err);
		snprintf(err, errlen, "google: %s", why);
	}
	http_request_free(req);
	return rc;
}

static enum record_fate
one(json_t *rec, void *arg)
{
	struct stage *g = arg;
	json_t *au = json_object_get(rec, "audio"), *stt;
	const char *path, *url, *id = record_str(rec, "id");
	struct stt_result res = { 0 };
	struct audio a;
	char err[1024];
	int64_t t0;
	int rc;

	if (!json_is_object(au))
		return RECORD_PASS;
	/* Done already (a replay, or a second inc-stt in the pipe). */
	stt = json_object_get(rec, "stt");
	if (json_is_object(stt) && !json_object_get(stt, "dry_run"))
		return RECORD_PASS;
	path = json_string_value(json_object_get(au, "path"));
	url = json_string_value(json_object_get(au, "url"));
	if (!path && !url) {
		record_add_error(rec, STAGE, "audio has neither path nor url");
		return RECORD_PASS;
	}
	if (path)
		rc = audio_read(path, NULL, 0, AUDIO_RATE, g->max_seconds, &a,
		    err, sizeof err);
	else
		rc = fetch(g, url, &a, err, sizeof err);
	if (rc < 0) {
		record_add_error(rec, STAGE, "%s%s%s", path ? path : "",
		    path ? ": " : "", err);
		return RECORD_PASS;
	}
	if (audio_is_silent(&a)) {
		record_add_error(rec, STAGE, "no speech: %.1f s of silence "
		    "(loudest %.0f dBFS)", a.seconds, a.peak_dbfs);
		goto out;
	}
	if (g->engine == E_LOCAL && load_local(g, err, sizeof err) < 0) {
		record_add_error(rec, STAGE, "local recogniser: %s", err);
		goto out;
	}
	t0 = clock_us();
	rc = g->engine == E_GOOGLE ? by_google(g, rec, &a, &res, err,
	    sizeof err) : stt_local_decode(g->local, &a, &res, err,
	    sizeof err);
	if (rc < 0) {
		record_add_error(rec, STAGE, "%s", err);
		goto out;
	}
	if (rc == 1)		/* dry run */
		goto out;
	json_object_set_new(rec, "stt", json_pack("{s:s, s:s, s:o, s:f, "
	    "s:f, s:s}", "engine", g->engine == E_GOOGLE ? "google" : "local",
	    "model", g->engine == E_GOOGLE ? "google" : g->lm, "confidence",
	    res.confidence < 0 ? json_null() : json_real(res.confidence),
	    "ms", (double)(clock_us() - t0) / 1000.0, "seconds", a.seconds,
	    "transcript", res.text));
	if (!*res.text) {
		record_add_error(rec, STAGE, "no speech recognised in %.1f s "
		    "of audio", a.seconds);
	} else {
		if (is_blank(record_str(rec, "description")))
			json_object_set_new(rec, "description",
			    json_string(res.text));
		if (is_blank(record_str(rec, "title"))) {
			char *t = first_words(res.text, 8);
			if (t)
				json_object_set_new(rec, "title",
				    json_string(t));
			free(t);
		}
		log_debug(id, "%zu words from %.1f s of audio", res.words,
		    a.seconds);
	}
	stt_result_free(&res);
out:
	audio_free(&a);
	return RECORD_PASS;
}

/* Most records carry no audio: they go on as they came, unparsed. */
static int
fast_line(const char *line, size_t len, void *arg)
{
	struct stage *g = arg;

	if (memmem(line, len, "\"audio\"", 7))
		return 0;
	record_stream_write(g->s, line, len);
	record_stream_write(g->s, "\n", 1);
	return 1;
}

/* Audio files named on the command line: each an audio job. */
static int
run_files(struct stage *g, char **files, int n)
{
	struct record_stream *s = g->s;

	for (int i = 0; i < n && !sig_stop; i++) {
		char abs[PATH_MAX], rid[ID_MAX + 1], now[RFC3339_LEN];
		json_t *rec;
		size_t before;
		id_new(rid, sizeof rid);
		rfc3339_now(now, sizeof now);
		rec = json_pack("{s:s, s:s, s:{s:s}, s:s, s:{s:s, s:s}}",
		    "id", rid, "kind", "incident", "audio", "path",
		    realpath(files[i], abs) ? abs : files[i], "received_at",
		    now, "ingest", "format", "audio", "input", files[i]);
		if (!rec)
			return EX_OSERR;
		s->n_in++;
		before = record_error_count(rec);
		one(rec, g);
		if (record_error_count(rec) > before)
			s->n_failed++;
		if (record_stream_emit(s, rec) < 0) {
			json_decref(rec);
			return EX_IOERR;
		}
		json_decref(rec);
		fflush(s->out);
	}
	return s->strict && s->n_failed ? 1 : 0;
}

static enum engine
engine_named(const char *s, const char *what)
{
	if (strcmp(s, "local") == 0)
		return E_LOCAL;
	if (strcmp(s, "google") == 0)
		return E_GOOGLE;
	if (what)
		cli_usage_error(USAGE, what, s);
	return E_UNSET;
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "engine", required_argument, NULL, 'e' },
		{ "lm", required_argument, NULL, 'l' },
		{ "build-lm", no_argument, NULL, 'B' },
		CLI_OPT_DRY_RUN,
		CLI_OPT_STRICT,
		CLI_OPT_REJECT,
		CLI_OPT_QUIET,
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "e:l:nqhV", longopts, NULL)) !=
	    -1) {
		switch (c) {
		case 'e':
			o->engine = engine_named(optarg,
			    "--engine: local or google: ");
			break;
		case 'l':
			if (!*optarg)
				cli_usage_error(USAGE,
				    "--lm: ", "domain, generic or a "
				    "file");
			o->lm = optarg;
			break;
		case 'B':
			o->build_lm = 1;
			break;
		default:
			cli_option(c, USAGE, &o->cli);
		}
	}
	if (o->build_lm && (optind < argc || o->lm))
		cli_usage_error(USAGE,
		    "--build-lm: ", "takes no file and no --lm");
}

/* --build-lm: make the domain model now and say what went into it. */
static int
build_lm(struct stage *g)
{
	char err[1024];
	struct stt_domain d;

	if (stt_domain_model(&g->dom, 1, &d, err, sizeof err) < 0) {
		log_error(NULL, "domain language model: %s", err);
		return EX_DATAERR;
	}
	if (d.warning[0])
		log_warn(NULL, "store: %s", d.warning);
	if (!g->o->cli.quiet)
		fprintf(stderr, "%s: %zu sentences, %zu words from %zu "
		    "knowledge-base documents, %zu incidents and %zu runbooks"
		    "; %zu words in the model: %zu from the dictionary, %zu "
		    "plurals, %zu derived words, %zu compounds, %zu spelled "
		    "as letters, %zu "
		    "common English words; %zu left out (%zu occurrences; "
		    "listed in %s); %zu bigrams, %zu trigrams\n", log_prog(),
		    d.rep.sentences, d.rep.tokens, d.kb_docs, d.incidents,
		    d.runbooks, d.rep.vocab, d.rep.known, d.rep.plural,
		    d.rep.derived, d.rep.joined, d.rep.spelled, d.rep.background,
		    d.rep.dropped, d.rep.dropped_tokens, d.oov,
		    d.rep.ngrams[1], d.rep.ngrams[2]);
	printf("%s\n", d.lm);
	return 0;
}

static int
setup(struct stage *g, char *err, size_t errlen)
{
	const char *key = config_get("GOOGLE_API_KEY", NULL);
	const char *token = config_get("GOOGLE_ACCESS_TOKEN", NULL);
	const char *sid = config_get("TWILIO_ACCOUNT_SID", NULL);
	const char *tw = config_get("TWILIO_API_URL",
	    "https://api.twilio.com");
	long max_s, timeout, common;
	const char *weight, *sm, *gw;
	char *end;

	if (config_long("INC_STT_MAX_SECONDS", AUDIO_MAX_SECONDS_DEFAULT, 1,
	    86400, &max_s, err, errlen) < 0 ||
	    config_long("INC_STT_TIMEOUT_MS", 60000, 100, 600000, &timeout,
	    err, errlen) < 0)
		return -1;
	g->max_seconds = (double)max_s;
	snprintf(g->model_dir, sizeof g->model_dir, "%s",
	    config_get("INC_STT_MODEL_DIR", STT_MODEL_DIR));
	snprintf(g->lm_dir, sizeof g->lm_dir, "%s",
	    config_get("INC_STT_LM_DIR", NULL) ? config_get("INC_STT_LM_DIR",
	    NULL) : "");
	if (!g->lm_dir[0])
		snprintf(g->lm_dir, sizeof g->lm_dir, "%.4000s/stt",
		    config_state_dir());
	config_share_path("kb", g->kb_dir, sizeof g->kb_dir);
	config_share_path("stt/words.dic", g->words, sizeof g->words);
	snprintf(g->cmudict, sizeof g->cmudict, "%s/cmudict-en-us.dict",
	    g->model_dir);
	snprintf(g->generic, sizeof g->generic, "%s/en-us.lm.bin",
	    g->model_dir);
	if (config_long("INC_STT_COMMON_WORDS", 20000, 0, 1000000, &common,
	    err, errlen) < 0)
		return -1;
	weight = config_get("INC_STT_COMMON_WEIGHT", "0.1");
	g->dom = (struct stt_domain_src){ .dir = g->lm_dir, .kb_dir =
	    g->kb_dir, .cmudict = g->cmudict, .words = access(g->words,
	    R_OK) == 0 ? g->words : NULL, .generic = g->generic, .common =
	    (size_t)common, .weight = strtod(weight, &end) };
	if (*end || end == weight || g->dom.weight < 0 ||
	    g->dom.weight >= 1) {
		snprintf(err, errlen, "INC_STT_COMMON_WEIGHT: a number in "
		    "0..1, 1 excluded");
		return -1;
	}
	gw = config_get("INC_STT_GENERIC_WEIGHT", STT_GENERIC_WEIGHT);
	g->generic_weight = strtod(gw, &end);
	if (*end || end == gw || g->generic_weight < 0 ||
	    g->generic_weight >= 1) {
		snprintf(err, errlen, "INC_STT_GENERIC_WEIGHT: a number in "
		    "0..1, 1 excluded");
		return -1;
	}
	sm = config_get("INC_STT_SMOOTHING", "kneser-ney");
	if (strcmp(sm, "kneser-ney") == 0)
		g->dom.smoothing = LM_KNESER_NEY;
	else if (strcmp(sm, "witten-bell") == 0)
		g->dom.smoothing = LM_WITTEN_BELL;
	else {
		snprintf(err, errlen, "INC_STT_SMOOTHING: kneser-ney or "
		    "witten-bell");
		return -1;
	}
	g->lm = g->o->lm ? g->o->lm : config_get("INC_STT_LM", "domain");
	g->language = config_get("INC_STT_LANGUAGE", "en-US");

	g->engine = g->o->engine;
	if (g->engine == E_UNSET && config_get("INC_STT_ENGINE", NULL) &&
	    (g->engine = engine_named(config_get("INC_STT_ENGINE", NULL),
	    NULL)) == E_UNSET) {
		snprintf(err, errlen, "INC_STT_ENGINE: local or google");
		return -1;
	}
	if (g->engine == E_UNSET)
		g->engine = key || token ? E_GOOGLE : E_LOCAL;
	if (g->engine == E_GOOGLE) {
		if (!key && !token && !g->o->cli.dry_run) {
			snprintf(err, errlen, "--engine google: set "
			    "GOOGLE_API_KEY or GOOGLE_ACCESS_TOKEN");
			return -1;
		}
		if (!(g->google = http_client_new(config_get("GOOGLE_STT_URL",
		    "https://speech.googleapis.com")))) {
			snprintf(err, errlen, "GOOGLE_STT_URL: not an http(s) "
			    "URL, or libcurl is missing");
			return -1;
		}
		g->google_key = key;
		if (!key && token && http_client_set_bearer(g->google,
		    token) < 0) {
			snprintf(err, errlen, "GOOGLE_ACCESS_TOKEN: not usable");
			return -1;
		}
		http_client_set_timeouts(g->google, 10000, timeout);
		http_client_set_dry_run(g->google, g->o->cli.dry_run);
	}
	/* Clients for recordings are made now, used only for audio.url. */
	g->plain = http_client_new(NULL);
	if (g->plain)
		http_client_set_max_body(g->plain, MAX_FETCH);
	if (sid && (g->twilio = http_client_new(tw))) {
		origin(tw, g->twilio_origin, sizeof g->twilio_origin);
		http_client_set_max_body(g->twilio, MAX_FETCH);
		if (http_client_set_basic(g->twilio, sid, config_get(
		    "TWILIO_AUTH_TOKEN", "")) < 0) {
			snprintf(err, errlen, "TWILIO_ACCOUNT_SID: not usable");
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct opts o = { 0 };
	struct record_stream s = { .stage = STAGE };
	struct stage g = { .o = &o, .s = &s };
	char err[PATH_MAX + 256];
	int rc;

	log_init("inc-stt");
	sig_setup();
	parse_opts(argc, argv, &o);
	if (record_stage_init(&s, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		return EX_CONFIG;
	}
	if (setup(&g, err, sizeof err) < 0) {
		log_error(NULL, "%s", err);
		rc = EX_CONFIG;
		goto out;
	}
	if (o.build_lm) {
		rc = build_lm(&g);
		goto out;
	}
	if ((rc = cli_stream_open(&s, &o.cli)) != 0)
		goto out;
	s.out = stdout;
	if (optind < argc) {
		rc = run_files(&g, argv + optind, argc - optind);
		goto out;
	}
	s.fast = fast_line;
	rc = record_stream_run(&s, 0, one, &g);
out:
	cli_stream_close(&s);
	stt_local_free(g.local);
	http_client_free(g.google);
	http_client_free(g.twilio);
	http_client_free(g.plain);
	return rc;
}
