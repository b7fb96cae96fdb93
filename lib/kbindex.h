/*
 * kbindex: the knowledge base's vector index, kept as current as the
 * store (inc-match's search, and inc-httpd's knowledge search).
 *
 * The index is built from the store's knowledge base (SQLite or
 * PostgreSQL) into a vector index file under the state directory
 * (INC_MATCH_CACHE, else $INC_STATE_DIR/cache) and mapped from there on,
 * so a new process starts on it at once; it is rebuilt when the knowledge
 * base's stamp in the store moves.  One file per database, kind and choice
 * of model: every reader with the same three shares it.  Without a usable
 * directory the index lives in memory only (kbindex_warning says why).
 */
#ifndef INC_KBINDEX_H
#define INC_KBINDEX_H

#include <stddef.h>

struct store;
struct vindex;
struct kbindex;

enum kbindex_kind { KBINDEX_ALL, KBINDEX_KB, KBINDEX_INCIDENTS };

/*
 * An index of the documents of kind, embedded by model (NULL: the model
 * most documents have).  Nothing is read until kbindex_refresh().  NULL
 * on ENOMEM.
 */
struct kbindex *kbindex_new(enum kbindex_kind kind, const char *model);
void kbindex_free(struct kbindex *k);

/*
 * Have an index as new as st's knowledge base: the mapped file when its
 * stamp is the store's, else a rebuild (saved to the file).  Asks the
 * store at most once a second unless force.  0, or -1 with err (the index
 * in hand, if any, stays usable).
 */
int kbindex_refresh(struct kbindex *k, struct store *st, int force,
    char *err, size_t errlen);

/* The index after a successful refresh (borrowed), else NULL. */
struct vindex *kbindex_index(const struct kbindex *k);

/*
 * Why the last refresh could not keep its file (the index still works,
 * in memory), or NULL; for the caller to log.
 */
const char *kbindex_warning(const struct kbindex *k);

#endif
