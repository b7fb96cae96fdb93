/*
 * vindex: exact top-k by inner product over the knowledge base's vectors.
 *
 * A scan over n float vectors is bound by memory bandwidth, so the index
 * keeps a second copy of each vector in int8 (one scale per vector), a
 * quarter of the bytes, and searches in two passes: the int8 scan scores
 * every vector and keeps the best few dozen candidates, then the float
 * vectors of just those are scored exactly and sorted.  The candidate
 * pool is wide enough that the true top k is in it (the tests hold
 * recall@10 against brute force to 0.99 or better).  Many queries at once
 * share one pass over the codes, a block at a time, while it is in cache.
 *
 * An index lives in a file: a header, the float vectors, the codes and the
 * scales, 64-byte aligned, and mapped read-only, so a process starts on it
 * at once and only the pages a search touches become resident.  The file
 * carries the embedding model id and a stamp of the knowledge base it was
 * built from (the store's version and time of change), so a reader can
 * tell when it is stale.
 */
#ifndef INC_VINDEX_H
#define INC_VINDEX_H

#include <stddef.h>
#include <stdint.h>

#define VINDEX_MODEL_MAX 96
#define VINDEX_STAMP_MAX 64

struct vindex;

struct vindex_hit {
	uint32_t i;		/* position of the vector in the index */
	float score;		/* exact inner product */
};

/*
 * Build an index of n unit vectors of dim floats (copied) for the model
 * and knowledge-base stamp given.  docs[i] (may be NULL) is what the caller wants
 * back for vector i, typically a compact JSON object; it is kept in the
 * file and read only for hits.  NULL on ENOMEM or bad sizes.
 */
struct vindex *vindex_build(const float *vecs, size_t n, int dim,
    const char *const *docs, const char *model, const char *stamp);

/* The document kept for vector i (not NUL-terminated), and its length. */
const char *vindex_doc(const struct vindex *ix, size_t i, size_t *len);

/*
 * Write the index to path (a temporary file, fsync, rename), or map one.
 * 0 / the index, or -1 / NULL with a reason.
 */
int vindex_save(const struct vindex *ix, const char *path, char *why,
    size_t whylen);
struct vindex *vindex_open(const char *path, char *why, size_t whylen);

void vindex_free(struct vindex *ix);

size_t vindex_size(const struct vindex *ix);
int vindex_dim(const struct vindex *ix);
const char *vindex_model(const struct vindex *ix);
const char *vindex_stamp(const struct vindex *ix);
const float *vindex_vector(const struct vindex *ix, size_t i);

/*
 * The k best vectors for query q (dim floats), best first, in out[k].
 * Returns how many were found (fewer than k when the index is smaller).
 */
int vindex_search(const struct vindex *ix, const float *q, int k,
    struct vindex_hit *out);

/*
 * The same for nq queries (q: nq x dim), out: nq x k, with one pass over
 * the codes for all of them.  Returns hits per query (min(k, n)).
 */
int vindex_search_batch(const struct vindex *ix, const float *q, int nq,
    int k, struct vindex_hit *out);

/* The reference: score every float vector.  For tests and benchmarks. */
int vindex_search_exact(const struct vindex *ix, const float *q, int k,
    struct vindex_hit *out);

#endif
