/*
 * kbindex: the knowledge base's index, rebuilt when the store's moves.
 * See kbindex.h.  (Moved here from inc-match, which inc-httpd joined.)
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config.h"
#include "clock.h"
#include "fs.h"
#include "kbindex.h"
#include "store.h"
#include "vindex.h"

#define RECHECK_MS 1000

struct kbindex {
	enum kbindex_kind kind;
	char *model;		/* NULL: the most common */
	struct vindex *ix;
	char cache[PATH_MAX];	/* "": keep no file */
	int cache_set;
	int64_t checked_us;
	char warning[PATH_MAX + 128];
};

struct kbindex *
kbindex_new(enum kbindex_kind kind, const char *model)
{
	struct kbindex *k = calloc(1, sizeof *k);

	if (!k)
		return NULL;
	k->kind = kind;
	if (model && !(k->model = strdup(model))) {
		free(k);
		return NULL;
	}
	return k;
}

void
kbindex_free(struct kbindex *k)
{
	if (!k)
		return;
	vindex_free(k->ix);
	free(k->model);
	free(k);
}

struct vindex *
kbindex_index(const struct kbindex *k)
{
	return k->ix;
}

const char *
kbindex_warning(const struct kbindex *k)
{
	return k->warning[0] ? k->warning : NULL;
}

struct build {
	enum kbindex_kind kind;
	const char *model;	/* NULL while counting */
	struct { char *model; size_t n; } models[16];
	int nmodels;
	float *vecs;
	char **docs;
	size_t n, cap;
	int dim;
};

static const char *
doc_kind(const char *record)
{
	/* Documents from runbooks say kind "kb"; resolved incidents that
	 * joined the knowledge base keep kind "incident". */
	return record && strstr(record, "\"kind\":\"kb\"") ? "kb" : "incident";
}

static int
count_models(const struct store_kb_doc *d, void *arg)
{
	struct build *b = arg;
	int i;

	if (!d->vector || !d->model)
		return 0;
	for (i = 0; i < b->nmodels; i++)
		if (strcmp(b->models[i].model, d->model) == 0)
			break;
	if (i == b->nmodels) {
		if (b->nmodels == 16)
			return 0;
		b->models[i].model = strdup(d->model);
		b->models[i].n = 0;
		b->nmodels++;
	}
	b->models[i].n++;
	return 0;
}

static int
collect(const struct store_kb_doc *d, void *arg)
{
	struct build *b = arg;
	const char *kind = doc_kind(d->record);
	json_t *doc;

	if (!d->vector || !d->model || strcmp(d->model, b->model) != 0)
		return 0;
	if ((b->kind == KBINDEX_KB && strcmp(kind, "kb") != 0) ||
	    (b->kind == KBINDEX_INCIDENTS && strcmp(kind, "incident") != 0))
		return 0;
	if (b->n == 0)
		b->dim = d->dim;
	if (d->dim != b->dim)
		return 0;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1024;
		float *v = realloc(b->vecs, cap * (size_t)b->dim * sizeof *v);
		char **dc = v ? realloc(b->docs, cap * sizeof *dc) : NULL;
		if (v)
			b->vecs = v;
		if (!dc)
			return -1;
		b->docs = dc;
		b->cap = cap;
	}
	memcpy(b->vecs + b->n * (size_t)b->dim, d->vector,
	    (size_t)b->dim * sizeof(float));
	/* What a hit shows: kept as compact JSON, copied into records. */
	doc = json_pack("{s:s}", "id", d->id);
	if (d->title)
		json_object_set_new(doc, "title", json_string(d->title));
	if (d->severity)
		json_object_set_new(doc, "severity", json_string(d->severity));
	if (d->resolution)
		json_object_set_new(doc, "resolution",
		    json_string(d->resolution));
	json_object_set_new(doc, "kind", json_string(kind));
	b->docs[b->n] = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	b->n++;
	return 0;
}

/* Rebuild the index file from the store; 0, or -1 with err. */
static int
rebuild(struct kbindex *k, struct store *st, const char *stamp, char *err,
    size_t errlen)
{
	struct build b = { .kind = k->kind };
	struct vindex *ix;
	int rc = -1;

	if (store_kb_each(st, NULL, count_models, &b, err, errlen) < 0)
		goto out;
	/* The model of most documents, unless one is asked for. */
	b.model = k->model;
	for (int i = 0; !b.model && i < b.nmodels; i++) {
		size_t best = 0;
		for (int j = 0; j < b.nmodels; j++)
			if (b.models[j].n > best) {
				best = b.models[j].n;
				b.model = b.models[j].model;
			}
	}
	if (b.model && store_kb_each(st, NULL, collect, &b, err, errlen) < 0)
		goto out;
	ix = vindex_build(b.vecs, b.n, b.n ? b.dim : 1,
	    (const char *const *)b.docs, b.model ? b.model : "", stamp);
	if (!ix) {
		snprintf(err, errlen, "out of memory building the index");
		goto out;
	}
	if (k->cache[0] && vindex_save(ix, k->cache, err, errlen) < 0) {
		/* A read-only state directory still gets an index. */
		snprintf(k->warning, sizeof k->warning, "cannot keep the "
		    "index: %s", err);
	}
	vindex_free(k->ix);
	k->ix = ix;
	rc = 0;
out:
	for (int i = 0; i < b.nmodels; i++)
		free(b.models[i].model);
	for (size_t i = 0; i < b.n; i++)
		free(b.docs[i]);
	free(b.docs);
	free(b.vecs);
	return rc;
}

/*
 * The index file: one per database, kind and choice of model, under the
 * state directory.  The name only finds the file; its stamp decides
 * whether it is current.
 */
static void
cache_path(struct kbindex *k, struct store *st)
{
	static const char *kinds[] = { "all", "kb", "incidents" };
	const char *where = store_where(st);
	const char *model = k->model ? k->model : "(most)";
	char dir[4040];
	uint64_t h = 14695981039346656037ull;

	k->cache_set = 1;
	for (const char *c = where; *c; c++) {
		h ^= (unsigned char)*c;
		h *= 1099511628211ull;
	}
	h ^= 0xff;
	h *= 1099511628211ull;
	for (const char *c = model; *c; c++) {
		h ^= (unsigned char)*c;
		h *= 1099511628211ull;
	}
	if (config_get("INC_MATCH_CACHE", NULL))
		snprintf(dir, sizeof dir, "%s", config_get("INC_MATCH_CACHE",
		    NULL));
	else
		snprintf(dir, sizeof dir, "%.4000s/cache", config_state_dir());
	if (fs_mkdir_p(dir, 0700) < 0) {
		snprintf(k->warning, sizeof k->warning, "cannot keep the "
		    "index in %.400s: %s", dir, strerror(errno));
		k->cache[0] = '\0';
		return;
	}
	snprintf(k->cache, sizeof k->cache, "%.4000s/vindex-%016llx-%s.vix",
	    dir, (unsigned long long)h, kinds[k->kind]);
}

int
kbindex_refresh(struct kbindex *k, struct store *st, int force, char *err,
    size_t errlen)
{
	char stamp[VINDEX_STAMP_MAX];
	int64_t t = clock_us();
	struct vindex *ix;

	if (!force && k->ix && t - k->checked_us < RECHECK_MS * 1000)
		return 0;
	k->warning[0] = '\0';
	if (!k->cache_set)
		cache_path(k, st);
	k->checked_us = t;
	if (store_kb_stamp(st, stamp, sizeof stamp, err, errlen) < 0)
		return -1;
	if (k->ix && strcmp(vindex_stamp(k->ix), stamp) == 0)
		return 0;
	/* Another reader may have rebuilt the file already. */
	ix = k->cache[0] ? vindex_open(k->cache, err, errlen) : NULL;
	if (ix && strcmp(vindex_stamp(ix), stamp) == 0) {
		vindex_free(k->ix);
		k->ix = ix;
		return 0;
	}
	vindex_free(ix);
	return rebuild(k, st, stamp, err, errlen);
}
