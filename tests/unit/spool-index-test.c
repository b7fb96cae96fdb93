/*
 * spool index: which entry each waiting id is in.  Read from the spool
 * when made, told of new entries, and swept of ids whose entry is gone,
 * one lookup an entry however many ids it holds.
 */
#include "spool.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/inc-spool-index-test.XXXXXX";

/* Write lines as one entry of new/; its name in name. */
static void
entry(const char *lines, char *name, size_t namelen)
{
	char why[256];

	CHECK(spool_write(dir, lines, strlen(lines), name, namelen, why,
	    sizeof why) == 0);
}

static int
found(struct spool_index *x, const char *id, const char *name,
    const char *where)
{
	char got[256];
	const char *w = NULL;

	if (!spool_index_find(x, id, got, sizeof got, &w))
		return name == NULL;
	return name && strcmp(got, name) == 0 && strcmp(w, where) == 0;
}

int
main(void)
{
	char why[256], a[256], b[256], c[256], path[600], id[64], name[64];
	struct spool_index *x;

	if (!mkdtemp(dir) || spool_init(dir, why, sizeof why) < 0) {
		perror(dir);
		return 1;
	}
	/* Read from the entries there: lines without an id are not ours. */
	entry("{\"id\":\"a1\"}\n{\"id\":\"a2\"}\n", a, sizeof a);
	entry("{\"id\":\"b1\"}\nnot json\n{\"x\":1}\n", b, sizeof b);
	CHECK(spool_claim(dir, b) == 0);
	x = spool_index_new(dir);
	CHECK(x != NULL);
	if (!x)
		return unit_done();
	CHECK(spool_index_size(x) == 3);
	CHECK(found(x, "a1", a, "new") && found(x, "a2", a, "new"));
	CHECK(found(x, "b1", b, "cur"));
	CHECK(found(x, "nope", NULL, NULL));

	/* An entry that went to bad/ and an id sent again into another. */
	CHECK(spool_bad(dir, b) == 0);
	CHECK(found(x, "b1", b, "bad"));
	entry("{\"id\":\"b1\"}\n", c, sizeof c);
	CHECK(spool_index_add(x, "b1", c) == 0);
	CHECK(found(x, "b1", c, "new") && spool_index_size(x) == 3);
	/* Acked: gone from the spool, so no longer waiting. */
	CHECK(spool_claim(dir, a) == 0 && spool_done(dir, a) == 0);
	CHECK(found(x, "a1", NULL, NULL));

	/*
	 * The sweep comes once the index has grown to 4096 ids: 6000 more
	 * in 600 entries, ten each, of which the odd ones are gone (never
	 * written).  It keeps the 3000 in entries that are there and b1,
	 * and drops the rest, a1 and a2 among them.
	 */
	for (int e = 0; e < 600; e++) {
		snprintf(name, sizeof name, "x.%d", e);
		if (e % 2 == 0) {
			snprintf(path, sizeof path, "%s/new/%s", dir, name);
			FILE *f = fopen(path, "w");
			CHECK(f != NULL);
			if (f)
				fclose(f);
		}
		for (int i = 0; i < 10; i++) {
			snprintf(id, sizeof id, "x-%d-%d", e, i);
			CHECK(spool_index_add(x, id, name) == 0);
		}
	}
	CHECK(spool_index_size(x) == 6003);
	/* A step at a time (0 ms: one chunk a call), as inc-httpd goes. */
	int steps = 0;
	while (spool_index_tidy(x, 0) && steps < 100000)
		steps++;
	CHECK(steps > 1 && spool_index_size(x) == 3001);
	CHECK(found(x, "x-4-7", "x.4", "new"));
	CHECK(found(x, "x-5-7", NULL, NULL));
	CHECK(found(x, "a2", NULL, NULL) && found(x, "b1", c, "new"));
	/* Not again before it has doubled. */
	snprintf(path, sizeof path, "%s/new/x.4", dir);
	CHECK(unlink(path) == 0);
	CHECK(spool_index_tidy(x, 1000) == 0);
	CHECK(spool_index_size(x) == 3001 && found(x, "x-4-7", NULL, NULL));
	spool_index_free(x);

	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	if (system(path) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done();
}
