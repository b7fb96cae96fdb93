/* stt: pocketsphinx, Google Speech-to-Text, and the domain model. */
#include "stt.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/ngram_model.h>

#include "fs.h"
#include "store.h"

/* A growing string for transcripts. */
struct text {
	char *s;
	size_t n, cap;
};

static int
text_add(struct text *t, const char *s, size_t len)
{
	if (t->n + len + 2 > t->cap) {
		size_t cap = (t->n + len + 2) * 2;
		char *p = realloc(t->s, cap);
		if (!p)
			return -1;
		t->s = p;
		t->cap = cap;
	}
	if (t->n > 0)
		t->s[t->n++] = ' ';
	memcpy(t->s + t->n, s, len);
	t->n += len;
	t->s[t->n] = '\0';
	return 0;
}

static size_t
count_words(const char *s)
{
	size_t n = 0;
	int in = 0;

	for (; *s; s++) {
		int sp = *s == ' ' || *s == '\t' || *s == '\n';
		n += !sp && !in;
		in = !sp;
	}
	return n;
}

static void
finish(struct stt_result *r, struct text *t, double conf_sum)
{
	r->text = t->s ? t->s : strdup("");
	r->words = t->s ? count_words(t->s) : 0;
	if (r->confidence >= 0)
		r->confidence = r->words ? conf_sum / (double)r->words : 0;
}

void
stt_result_free(struct stt_result *r)
{
	free(r->text);
	r->text = NULL;
}

/* Local: pocketsphinx. */

struct stt_local {
	ps_decoder_t *ps;
	int rate;
};

static int
readable(const char *what, const char *path, char *err, size_t errlen)
{
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(err, errlen, "%s %s: %s%s", what, path, strerror(errno),
	    errno == ENOENT && strncmp(path, STT_MODEL_DIR,
	    strlen(STT_MODEL_DIR)) == 0 ? " (install pocketsphinx-en-us)" :
	    "");
	return -1;
}

/*
 * The interpolation of the models in lm and mix as the decoder's search:
 * pocketsphinx's model set adds the weighted probabilities of its models
 * at every word it scores, whatever order each model answers at.
 */
static int
set_mix(ps_decoder_t *ps, const char *lm, const char *mix, double weight,
    char *err, size_t errlen)
{
	cmd_ln_t *cfg = ps_get_config(ps);
	logmath_t *lmath = ps_get_logmath(ps);
	ngram_model_t *m[2], *set;
	char *names[2] = { "domain", "mix" };
	float32 w[2] = { (float32)(1 - weight), (float32)weight };

	m[0] = ngram_model_read(cfg, lm, NGRAM_AUTO, lmath);
	m[1] = m[0] ? ngram_model_read(cfg, mix, NGRAM_AUTO, lmath) : NULL;
	if (!m[1]) {
		snprintf(err, errlen, "cannot read the language model %s",
		    m[0] ? mix : lm);
		ngram_model_free(m[0]);
		return -1;
	}
	/* The set takes references of its own to its models, and the
	 * search one to the set: ours go once they are given. */
	set = ngram_model_set_init(cfg, m, names, w, 2);
	ngram_model_free(m[0]);
	ngram_model_free(m[1]);
	if (!set) {
		snprintf(err, errlen, "cannot mix %s with %s", lm, mix);
		return -1;
	}
	if (ps_set_lm(ps, "mix", set) < 0 || ps_set_search(ps, "mix") < 0) {
		ngram_model_free(set);
		snprintf(err, errlen, "pocketsphinx refused the mixed model");
		return -1;
	}
	ngram_model_free(set);
	return 0;
}

struct stt_local *
stt_local_new(const char *hmm, const char *lm, const char *dict,
    const char *mix, double mix_weight, char *err, size_t errlen)
{
	struct stt_local *s;
	cmd_ln_t *cfg;
	char mdef[PATH_MAX];
	int mixed = mix && mix_weight > 0 && mix_weight < 1;

	snprintf(mdef, sizeof mdef, "%s/mdef", hmm);
	if (readable("acoustic model", mdef, err, errlen) < 0 ||
	    readable("language model", lm, err, errlen) < 0 ||
	    readable("dictionary", dict, err, errlen) < 0 ||
	    (mixed && readable("language model", mix, err, errlen) < 0))
		return NULL;
	/* pocketsphinx talks a lot on stderr; our stderr is for our own
	 * messages. */
	err_set_logfp(NULL);
	/* A mixed model is given to the decoder once it is made: loading
	 * lm on its own first would be time thrown away. */
	/* The search, tuned on reports of our own (bench/stt --dev): the
	 * second, flat pass costs a third of the time and, after the
	 * lattice's best path, finds no more words; at most 2000 HMMs and
	 * 10 word ends a frame keep phone audio, whose flatter scores let
	 * many more through, under a fifth of real time; the language
	 * weight a little above the default (6.5) trusts the mixed model
	 * more. */
	cfg = cmd_ln_init(NULL, ps_args(), TRUE, "-hmm", hmm, "-dict", dict,
	    "-logfn", "/dev/null", "-samprate", "16000", "-fwdflat", "no",
	    "-maxhmmpf", "2000", "-maxwpf", "10", "-lw", "8", NULL);
	if (cfg && !mixed)
		cmd_ln_set_str_r(cfg, "-lm", lm);
	if (!cfg) {
		snprintf(err, errlen, "pocketsphinx refused its settings");
		return NULL;
	}
	if (!(s = calloc(1, sizeof *s))) {
		cmd_ln_free_r(cfg);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->rate = 16000;
	s->ps = ps_init(cfg);
	cmd_ln_free_r(cfg);
	if (!s->ps) {
		free(s);
		snprintf(err, errlen, "pocketsphinx could not load %s with %s",
		    hmm, lm);
		return NULL;
	}
	if (mixed && set_mix(s->ps, lm, mix, mix_weight, err, errlen) < 0) {
		stt_local_free(s);
		return NULL;
	}
	return s;
}

void
stt_local_free(struct stt_local *s)
{
	if (!s)
		return;
	ps_free(s->ps);
	free(s);
}

/*
 * The utterance just decoded: its words, and the sum of their posterior
 * probabilities (the lattice's word confidence; fillers such as <sil>
 * and [NOISE] are not words).
 */
static int
collect(struct stt_local *s, struct text *t, double *conf_sum)
{
	int32 score, ascr, lscr, lback;
	const char *hyp = ps_get_hyp(s->ps, &score);
	logmath_t *lm = ps_get_logmath(s->ps);
	ps_seg_t *seg;

	if (!hyp || !*hyp)
		return 0;
	for (seg = ps_seg_iter(s->ps); seg; seg = ps_seg_next(seg)) {
		const char *w = ps_seg_word(seg);
		if (w[0] == '<' || w[0] == '[')
			continue;
		*conf_sum += logmath_exp(lm, ps_seg_prob(seg, &ascr, &lscr,
		    &lback));
	}
	return text_add(t, hyp, strlen(hyp));
}

/* Where to end the utterance that starts at from: the middle of the
 * quietest 200 ms between 15 and 30 s on. */
static size_t
cut_at(const struct audio *a, size_t from)
{
	size_t lo = from + (size_t)a->rate * 15, hi = from +
	    (size_t)a->rate * STT_UTTERANCE_SECONDS;
	size_t w = (size_t)a->rate / 5, best = hi;
	double quiet = -1;

	if (hi >= a->n)
		return a->n;
	for (size_t i = lo; i + w <= hi; i += w / 4) {
		double e = 0;
		for (size_t j = i; j < i + w; j++)
			e += (double)a->pcm[j] * a->pcm[j];
		if (quiet < 0 || e < quiet) {
			quiet = e;
			best = i + w / 2;
		}
	}
	return best;
}

int
stt_local_decode(struct stt_local *s, const struct audio *a,
    struct stt_result *r, char *err, size_t errlen)
{
	struct text t = { 0 };
	double conf = 0;
	size_t off = 0, end;

	memset(r, 0, sizeof *r);
	if (a->rate != s->rate) {
		snprintf(err, errlen, "audio at %d Hz, the model wants %d",
		    a->rate, s->rate);
		return -1;
	}
	/* Each utterance is decoded whole: the acoustic model normalises
	 * the cepstra over the utterance (-cmn batch in its feat.params),
	 * which undoes a telephone's or a microphone's colouring far better
	 * than the running estimate of live decoding.  Long recordings are
	 * cut at pauses, so that no search holds minutes of lattice. */
	for (; off < a->n; off = end) {
		end = cut_at(a, off);
		if (ps_start_utt(s->ps) < 0 ||
		    ps_process_raw(s->ps, a->pcm + off, end - off, FALSE,
		    TRUE) < 0 || ps_end_utt(s->ps) < 0 ||
		    collect(s, &t, &conf) < 0) {
			free(t.s);
			snprintf(err, errlen, "pocketsphinx failed to decode");
			return -1;
		}
	}
	finish(r, &t, conf);
	return 0;
}

/* Google Speech-to-Text v1, protocols.md §6. */

struct http_request *
stt_google_request(const struct audio *a, const char *language)
{
	size_t nb = a->n * 2;
	unsigned char *raw = malloc(nb ? nb : 1);
	unsigned char *b64 = malloc(4 * ((nb + 2) / 3) + 1);
	struct http_request *req = NULL;
	json_t *body;

	if (!raw || !b64)
		goto out;
	/* LINEAR16 is little-endian whatever the host is. */
	for (size_t i = 0; i < a->n; i++) {
		uint16_t v = (uint16_t)a->pcm[i];
		raw[2 * i] = (unsigned char)(v & 0xff);
		raw[2 * i + 1] = (unsigned char)(v >> 8);
	}
	EVP_EncodeBlock(b64, raw, (int)nb);
	body = json_pack("{s:{s:s, s:i, s:s}, s:{s:s}}", "config",
	    "encoding", "LINEAR16", "sampleRateHertz", a->rate,
	    "languageCode", language, "audio", "content", (char *)b64);
	if (!body)
		goto out;
	if ((req = http_request_new("POST", "v1/speech:recognize")))
		http_request_json(req, body);
	json_decref(body);
out:
	free(raw);
	free(b64);
	return req;
}

int
stt_google_answer(const struct http_response *resp, struct stt_result *r,
    char *err, size_t errlen)
{
	struct text t = { 0 };
	double conf = 0;
	int have_conf = 0;
	size_t i;
	json_t *res;

	memset(r, 0, sizeof *r);
	if (resp->err) {
		snprintf(err, errlen, "%s", resp->error ? resp->error :
		    "failed");
		return -1;
	}
	if (resp->status != 200) {
		const char *m = json_string_value(json_object_get(
		    json_object_get(resp->json, "error"), "message"));
		snprintf(err, errlen, "HTTP %ld%s%.200s", resp->status,
		    m ? ": " : "", m ? m : "");
		return -1;
	}
	if (!json_is_object(resp->json)) {
		snprintf(err, errlen, "the answer is not a JSON object");
		return -1;
	}
	/* Results are consecutive stretches of the audio (§6): their best
	 * alternatives, in order, are the transcript.  No results is
	 * silence. */
	json_array_foreach(json_object_get(resp->json, "results"), i, res) {
		json_t *alt = json_array_get(json_object_get(res,
		    "alternatives"), 0);
		const char *s = json_string_value(json_object_get(alt,
		    "transcript"));
		json_t *c = json_object_get(alt, "confidence");
		size_t len;
		if (!s)
			continue;
		while (*s == ' ')
			s++;
		len = strlen(s);
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (len == 0)
			continue;
		if (text_add(&t, s, len) < 0) {
			free(t.s);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (json_is_number(c)) {
			char *w = strndup(s, len);
			conf += json_number_value(c) * (double)(w ?
			    count_words(w) : 1);
			free(w);
			have_conf = 1;
		}
	}
	r->confidence = have_conf ? 0 : -1;
	finish(r, &t, conf);
	return 0;
}

/* The domain model. */

struct sources {
	struct lm_text *text;
	char **ids;		/* documents of the store's knowledge base */
	size_t nids, cap;
	size_t kb_docs, incidents, runbooks;
	int oom;
};

static void
add_field(struct sources *s, const json_t *rec, const char *key)
{
	const char *v = json_string_value(json_object_get(rec, key));

	if (v && lm_text_add(s->text, v, strlen(v)) < 0)
		s->oom = 1;
}

static int
from_kb(const struct store_kb_doc *doc, void *arg)
{
	struct sources *s = arg;
	json_t *rec = json_loads(doc->record, 0, NULL);

	if (rec) {
		add_field(s, rec, "title");
		add_field(s, rec, "description");
		add_field(s, rec, "resolution");
		json_decref(rec);
	}
	if (s->nids == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		char **ids = realloc(s->ids, cap * sizeof *ids);
		if (!ids)
			return s->oom = 1;
		s->ids = ids;
		s->cap = cap;
	}
	if (!(s->ids[s->nids] = strdup(doc->id ? doc->id : "")))
		return s->oom = 1;
	s->nids++;
	s->kb_docs++;
	return s->oom;
}

static int
from_incident(const json_t *rec, void *arg)
{
	struct sources *s = arg;

	/* A transcript of ours taught back to the model would make its
	 * own mistakes likelier. */
	if (json_object_get(rec, "stt"))
		return 0;
	add_field(s, rec, "title");
	add_field(s, rec, "description");
	add_field(s, rec, "resolution");
	s->incidents++;
	return s->oom;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct wordprob {
	double p;
	const char *w;
};

/* Most probable first; equal ones by word, so the choice is stable. */
static int
cmp_prob(const void *a, const void *b)
{
	const struct wordprob *x = a, *y = b;

	if (x->p != y->p)
		return x->p < y->p ? 1 : -1;
	return strcmp(x->w, y->w);
}

static int
is_runbook(const char *name)
{
	size_t l = strlen(name);

	return name[0] != '.' && ((l > 3 && strcmp(name + l - 3, ".md") ==
	    0) || (l > 4 && strcmp(name + l - 4, ".txt") == 0));
}

/* The runbooks in dir, sorted, and a hash of their names, sizes and
 * times for the stamp. */
static char **
list_runbooks(const char *dir, size_t *n, uint64_t *sig)
{
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	char **v = NULL, path[PATH_MAX];
	size_t cap = 0;

	*n = 0;
	*sig = 1469598103934665603ull;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (!is_runbook(e->d_name))
			continue;
		if (*n == cap) {
			char **p = realloc(v, (cap = cap ? cap * 2 : 64) *
			    sizeof *p);
			if (!p)
				break;
			v = p;
		}
		if (!(v[*n] = strdup(e->d_name)))
			break;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, cmp_str);
	for (size_t i = 0; i < *n; i++) {
		struct stat st;
		char line[PATH_MAX + 64];
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		if (stat(path, &st) < 0)
			continue;
		snprintf(line, sizeof line, "%s:%lld:%lld.%09ld;", v[i],
		    (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		    st.st_mtim.tv_nsec);
		for (const char *c = line; *c; c++) {
			*sig ^= (unsigned char)*c;
			*sig *= 1099511628211ull;
		}
	}
	return v;
}

/* A runbook's id from its front matter ("id: kb-disk-full"), or "". */
static void
front_id(const char *text, char *id, size_t len)
{
	const char *p = text, *e;

	id[0] = '\0';
	if (strncmp(p, "---\n", 4) != 0)
		return;
	for (p += 4; *p && strncmp(p, "---", 3) != 0; p = e + 1) {
		if (!(e = strchr(p, '\n')))
			return;
		if (strncmp(p, "id:", 3) == 0) {
			const char *v = p + 3;
			while (*v == ' ')
				v++;
			snprintf(id, len, "%.*s", (int)(e - v), v);
			for (size_t l = strlen(id); l > 0 && (id[l - 1] ==
			    ' ' || id[l - 1] == '\r'); l--)
				id[l - 1] = '\0';
			return;
		}
	}
}

static int
has_id(const struct sources *s, const char *id)
{
	return *id && s->nids && bsearch(&id, s->ids, s->nids,
	    sizeof *s->ids, cmp_str) != NULL;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (!f)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) < 0) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Mark the n most probable words of a general model as common. */
static int
mark_common(struct lm_dict *d, const char *generic, size_t n, char *err,
    size_t errlen)
{
	logmath_t *lmath;
	ngram_model_t *m;
	struct wordprob *v = NULL;
	uint32_t total, k = 0;
	int rc = -1;

	err_set_logfp(NULL);
	lmath = logmath_init(1.0001, 0, 0);
	m = lmath ? ngram_model_read(NULL, generic,
	    NGRAM_AUTO, lmath) : NULL;

	if (!m) {
		snprintf(err, errlen, "cannot read the language model %s",
		    generic);
		logmath_free(lmath);
		return -1;
	}
	total = ngram_model_get_counts(m)[0];
	if (!(v = malloc(total * sizeof *v))) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < total; i++) {
		const char *w = ngram_word(m, (int32)i);
		if (!w || w[0] == '<' || w[0] == '[' || w[0] == '\'')
			continue;
		v[k].w = w;
		v[k++].p = logmath_exp(lmath, ngram_prob(m, &w, 1));
	}
	qsort(v, k, sizeof *v, cmp_prob);
	for (uint32_t i = 0, marked = 0; i < k && marked < n; i++)
		marked += lm_dict_common(d, v[i].w, v[i].p) == 0;
	rc = 0;
out:
	free(v);
	ngram_model_free(m);
	logmath_free(lmath);
	return rc;
}

static int
write_model(struct sources *src, const struct stt_domain_src *in,
    struct stt_domain *out, char *err, size_t errlen)
{
	char tl[PATH_MAX + 16], td[PATH_MAX + 16], to[PATH_MAX + 16];
	struct lm_dict *d = lm_dict_load(in->cmudict, err, errlen);
	FILE *fl = NULL, *fd = NULL, *fo = NULL;
	int rc = -1;

	if (!d)
		return -1;
	if ((in->words && lm_dict_add(d, in->words, err, errlen) < 0) ||
	    (in->generic && in->common && mark_common(d, in->generic,
	    in->common, err, errlen) < 0)) {
		lm_dict_free(d);
		return -1;
	}
	snprintf(tl, sizeof tl, "%s.%ld", out->lm, (long)getpid());
	snprintf(td, sizeof td, "%s.%ld", out->dict, (long)getpid());
	snprintf(to, sizeof to, "%s.%ld", out->oov, (long)getpid());
	if (!(fl = fopen(tl, "w")) || !(fd = fopen(td, "w")) ||
	    !(fo = fopen(to, "w"))) {
		snprintf(err, errlen, "%s: %s", out->lm, strerror(errno));
		goto out;
	}
	if (lm_build(src->text, d, in->smoothing, in->weight, fl, fd, fo,
	    &out->rep, err, errlen) < 0)
		goto out;
	if (fclose(fl) != 0 || fclose(fd) != 0 || fclose(fo) != 0) {
		fl = fd = fo = NULL;
		snprintf(err, errlen, "%s: %s", out->lm, strerror(errno));
		goto out;
	}
	fl = fd = fo = NULL;
	/* The dictionary first: a reader never sees a model with words it
	 * cannot pronounce. */
	if (rename(td, out->dict) < 0 || rename(tl, out->lm) < 0 ||
	    rename(to, out->oov) < 0) {
		snprintf(err, errlen, "%s: %s", out->lm, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fl)
		fclose(fl);
	if (fd)
		fclose(fd);
	if (fo)
		fclose(fo);
	if (rc < 0) {
		unlink(tl);
		unlink(td);
		unlink(to);
	}
	lm_dict_free(d);
	return rc;
}

/* Size and time of a file, for the stamp ("-" when there is none). */
static void
file_sig(const char *path, char *out, size_t len)
{
	struct stat sb;

	if (path && stat(path, &sb) == 0)
		snprintf(out, len, "%s %lld %lld", path, (long long)sb.st_size,
		    (long long)sb.st_mtime);
	else
		snprintf(out, len, "-");
}

int
stt_domain_model(const struct stt_domain_src *in, int force,
    struct stt_domain *out, char *err, size_t errlen)
{
	char stamp_path[PATH_MAX + 16], tmp[PATH_MAX + 32], kbstamp[256];
	char stamp[6 * PATH_MAX], e2[512], **books = NULL, *old = NULL;
	char sd[PATH_MAX + 64], sw[PATH_MAX + 64], sg[PATH_MAX + 64];
	const char *dir = in->dir, *kb_dir = in->kb_dir;
	struct sources src = { 0 };
	struct store *st = NULL;
	uint64_t sig;
	size_t nbooks = 0;
	int rc = -1, have;
	FILE *f;

	memset(out, 0, sizeof *out);
	if (fs_mkdir_p(dir, 0700) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(out->lm, sizeof out->lm, "%.4000s/domain.lm", dir);
	snprintf(out->dict, sizeof out->dict, "%.4000s/domain.dic", dir);
	snprintf(out->oov, sizeof out->oov, "%.4000s/domain.oov", dir);
	snprintf(stamp_path, sizeof stamp_path, "%.4000s/domain.stamp", dir);
	have = access(out->lm, R_OK) == 0 && access(out->dict, R_OK) == 0;

	if (store_open(&st, in->store_url, STORE_DRY_RUN, e2,
	    sizeof e2) < 0 ||
	    store_kb_stamp(st, kbstamp, sizeof kbstamp, e2, sizeof e2) < 0) {
		snprintf(out->warning, sizeof out->warning, "%s", e2);
		if (st)
			store_close(st);
		st = NULL;
		if (have && !force)
			return 0;
		snprintf(kbstamp, sizeof kbstamp, "none");
	}
	books = list_runbooks(kb_dir, &nbooks, &sig);
	if (access(in->cmudict, R_OK) < 0) {
		snprintf(err, errlen, "dictionary %s: %s", in->cmudict,
		    strerror(errno));
		goto out;
	}
	file_sig(in->cmudict, sd, sizeof sd);
	file_sig(in->words, sw, sizeof sw);
	file_sig(in->common ? in->generic : NULL, sg, sizeof sg);
	/* The builder's version first: a better tokenizer remakes models. */
	snprintf(stamp, sizeof stamp, "inc-stt domain model 5\nstore %s\n"
	    "runbooks %s %zu %016llx\ndictionary %s\nwords %s\n"
	    "common %s %zu %g\nsmoothing %d\n", kbstamp, kb_dir ? kb_dir :
	    "-", nbooks, (unsigned long long)sig, sd, sw, sg, in->common,
	    in->weight, (int)in->smoothing);
	if (!force && have && (old = slurp(stamp_path)) &&
	    strcmp(old, stamp) == 0) {
		rc = 0;
		goto out;
	}
	if (!(src.text = lm_text_new()))
		goto oom;
	if (st) {
		struct store_filter fl = { .limit = 10000 };
		if (store_kb_each(st, NULL, from_kb, &src, err, errlen) < 0 &&
		    !src.oom)
			goto out;
		if (src.nids)
			qsort(src.ids, src.nids, sizeof *src.ids, cmp_str);
		if (!src.oom && store_list(st, &fl, from_incident, &src, err,
		    errlen) < 0 && !src.oom)
			goto out;
	}
	/* The shipped runbooks, unless the store holds them already (the
	 * pipeline loads them into it on first start). */
	for (size_t i = 0; i < nbooks && !src.oom; i++) {
		char path[PATH_MAX + 256], id[256], *text;
		snprintf(path, sizeof path, "%s/%s", kb_dir, books[i]);
		if (!(text = slurp(path)))
			continue;
		front_id(text, id, sizeof id);
		if (!has_id(&src, id)) {
			if (lm_text_add(src.text, text, strlen(text)) < 0)
				src.oom = 1;
			src.runbooks++;
		}
		free(text);
	}
	if (src.oom)
		goto oom;
	if (write_model(&src, in, out, err, errlen) < 0)
		goto out;
	snprintf(tmp, sizeof tmp, "%s.%ld", stamp_path, (long)getpid());
	if (!(f = fopen(tmp, "w")) || fputs(stamp, f) < 0 ||
	    fclose(f) != 0 || rename(tmp, stamp_path) < 0) {
		snprintf(err, errlen, "%s: %s", stamp_path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	out->rebuilt = 1;
	out->kb_docs = src.kb_docs;
	out->incidents = src.incidents;
	out->runbooks = src.runbooks;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	if (st)
		store_close(st);
	for (size_t i = 0; i < nbooks; i++)
		free(books[i]);
	free(books);
	for (size_t i = 0; i < src.nids; i++)
		free(src.ids[i]);
	free(src.ids);
	lm_text_free(src.text);
	free(old);
	return rc;
}
