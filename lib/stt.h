/*
 * stt: speech to text for phoned-in reports, by a local recogniser or by
 * Google Speech-to-Text, and the domain language model the local one
 * listens with.
 *
 * Local: pocketsphinx with Debian's en-us acoustic model, no network.
 * A recording is decoded as one utterance, or for a long one as pieces
 * of at most STT_UTTERANCE_SECONDS cut at pauses; the confidence is the
 * mean posterior probability of the words in the lattice.
 *
 * Google: Speech-to-Text v1 speech:recognize (protocols.md §6), the audio
 * sent as base64 LINEAR16 at 16 kHz.  This module builds the request and
 * reads the answer; the caller's lib/http client sends it with the
 * credentials (an API key as ?key=, or a bearer token).
 *
 * The domain model: a trigram model (lib/lm) of the knowledge base and
 * past incidents in the store, plus the runbooks shipped in share/inc/kb,
 * kept in a directory of the state with the stamp of what it was made
 * from (store_kb_stamp() and the runbooks' sizes and times), and made
 * again when that stamp changes.
 *
 * Nothing here writes to stdout or stderr (pocketsphinx's log is sent to
 * /dev/null); errors come back as -1 and a one-line reason.
 */
#ifndef INC_STT_H
#define INC_STT_H

#include <limits.h>
#include <stddef.h>

#include "audio.h"
#include "http.h"
#include "lm.h"

/* Debian's pocketsphinx-en-us. */
#define STT_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#define STT_UTTERANCE_SECONDS 30
/* The generic model's share when the domain model is mixed with it, as
 * tuned on reports of our own (bench/stt --dev): more helps reports on
 * what no runbook covers, and costs those on what one does. */
#define STT_GENERIC_WEIGHT "0.2"

struct stt_result {
	char *text;		/* malloc'd; "" when nothing was recognised */
	double confidence;	/* 0..1, or -1 when the engine gave none */
	size_t words;
};

void stt_result_free(struct stt_result *r);

/* The local recogniser. */

struct stt_local;

/*
 * Load the acoustic model in hmm (a directory), the language model lm
 * (ARPA or pocketsphinx binary) and the dictionary dict.  With mix (a
 * general English model) and 0 < mix_weight < 1, the recogniser listens
 * with the linear interpolation (1 - mix_weight) lm + mix_weight mix at
 * every order, computed as it decodes; the words it can hear are still
 * those of dict.  NULL with the reason in err.
 */
struct stt_local *stt_local_new(const char *hmm, const char *lm,
    const char *dict, const char *mix, double mix_weight, char *err,
    size_t errlen);
void stt_local_free(struct stt_local *s);

/* Transcribe a (at AUDIO_RATE).  0, or -1 with the reason in err. */
int stt_local_decode(struct stt_local *s, const struct audio *a,
    struct stt_result *r, char *err, size_t errlen);

/* Google Speech-to-Text v1. */

/* Synchronous recognize takes at most one minute of audio (§6). */
#define STT_GOOGLE_MAX_SECONDS 60.0

/*
 * The speech:recognize request for a (path "v1/speech:recognize" under
 * the client's base URL), or NULL on ENOMEM.
 */
struct http_request *stt_google_request(const struct audio *a,
    const char *language);

/*
 * Read the answer: 0 and *r filled (r->text "" when Google heard
 * nothing), or -1 with the reason in err ("HTTP 403: ...").
 */
int stt_google_answer(const struct http_response *resp,
    struct stt_result *r, char *err, size_t errlen);

/* The domain language model. */

struct stt_domain {
	char lm[PATH_MAX], dict[PATH_MAX], oov[PATH_MAX];
	int rebuilt;			/* made now, not found up to date */
	struct lm_report rep;		/* when rebuilt */
	size_t kb_docs, incidents, runbooks;	/* what it was made of */
	char warning[512];		/* the store could not be read... */
};

/* What the domain model is made of, besides the knowledge base. */
struct stt_domain_src {
	const char *dir;	/* where the model lives */
	const char *store_url;	/* NULL: the default database */
	const char *kb_dir;	/* the shipped runbooks, or NULL */
	const char *cmudict;	/* pronunciations */
	const char *words;	/* more of them, for our trade, or NULL */
	const char *generic;	/* a general English model, or NULL */
	size_t common;		/* how many of its words to mix in */
	double weight;		/* with what share of the unigrams */
	enum lm_smoothing smoothing;
};

/*
 * Make sure src->dir holds the domain model of the current knowledge
 * base: compare its stamp with the store's and with the files it is made
 * of, and build it again when it differs, or always with force.  The
 * `common` most frequent words of the generic model join the vocabulary
 * (a caller says "this morning" though no runbook does).  When the store
 * cannot be opened, a model already there is kept, else one is made from
 * the runbooks alone, and warning says so.  0, or -1 with the reason in
 * err.
 */
int stt_domain_model(const struct stt_domain_src *src, int force,
    struct stt_domain *out, char *err, size_t errlen);

#endif
