/*
 * embed: the local embedder, text to a unit vector with no network and no
 * weights to download.
 *
 * The algorithm ("fh1"): the text is lower-cased and split into words at
 * anything that is not a letter or digit, camelCase and snake_case names
 * also into their parts (KubePodCrashLooping -> kube pod crash looping,
 * and the whole name); a short list of English function words is dropped.
 * Its features are the words, the pairs of adjacent words, and the
 * character 3- and 4-grams of each word with its boundaries ("<di",
 * "dis", "isk", "sk>").  Each feature is hashed (FNV-1a, 64 bits);
 * its weight is (1 + ln tf) x idf x the weight of its kind (word 1, pair
 * 1, n-gram 0.35), with idf = ln((1 + N) / (1 + df)) + 1 fitted on the
 * knowledge base over 2^18 hash buckets.  The weighted features are summed
 * into `dim` dimensions by signed feature hashing and the vector is
 * L2-normalised, so an inner product is a cosine.
 *
 * The model id names the algorithm, its parameters and a digest of the
 * fitted idf ("fh1-d384-w2-c34-idf3f2a9c1e"), so vectors of two models are
 * never compared.  A model is fitted once on the knowledge base and saved
 * to a file beside it; queries are embedded with the same file.
 */
#ifndef INC_EMBED_H
#define INC_EMBED_H

#include <stddef.h>

#define EMBED_DIM_DEFAULT 384
#define EMBED_ID_MAX 96

struct embed_model;

/* A model of dim dimensions (1..4096) with no idf yet (all weights 1). */
struct embed_model *embed_model_new(int dim);
void embed_model_free(struct embed_model *m);

/* Count the features of one knowledge-base document for the idf. */
void embed_fit_add(struct embed_model *m, const char *text, size_t len);

/* Turn the counts into idf weights; the model id changes with them. */
void embed_fit_done(struct embed_model *m);

/* The model id, e.g. "fh1-d384-w2-c34-idf3f2a9c1e" ("...-noidf"). */
const char *embed_model_id(const struct embed_model *m);

int embed_model_dim(const struct embed_model *m);

/*
 * Save to path (written to a temporary file and renamed), or load from
 * it.  0, or -1 with a reason.
 */
int embed_model_save(const struct embed_model *m, const char *path,
    char *why, size_t whylen);
struct embed_model *embed_model_load(const char *path, char *why,
    size_t whylen);

/*
 * Embed text into out[dim], L2-normalised.  Returns 0, or -1 when the
 * text has no features at all (out is then all zeros).  Not thread-safe:
 * a model keeps its scratch space.
 */
int embed_text(struct embed_model *m, const char *text, size_t len,
    float *out);

/*
 * Embed a document of several fields (title, body) with each field given
 * an equal share: every non-empty field is embedded alone, the unit
 * vectors are summed and the sum normalised.  A short title then counts as
 * much as a long body, which is what lets a two-word report find the
 * runbook whose title it nearly is.  Returns 0, or -1 when no field has
 * features.
 */
int embed_fields(struct embed_model *m, const char *const *text,
    const size_t *len, int n, float *out);

/* Vectors in records: base64 of little-endian float32 (DESIGN §2). */
char *embed_b64_encode(const float *v, int dim);	/* malloc'd */
int embed_b64_decode(const char *s, size_t len, float *out, int dim);

#endif
