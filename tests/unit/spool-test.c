/*
 * spool: group commit.  Many threads put lines at once; every line must
 * land exactly once, in the entry its put named, each entry whole in new/
 * and nothing left in tmp/.
 */
#include "spool.h"
#include "unit.h"

#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define THREADS	8
#define PUTS	150

static struct spool_batch *batch;
static char dir[] = "/tmp/inc-spool-test.XXXXXX";
static char names[THREADS][PUTS][256];
static int failures;

static void *
putter(void *arg)
{
	int t = (int)(long)arg;
	char line[64], why[256];

	for (int i = 0; i < PUTS; i++) {
		int n = snprintf(line, sizeof line, "{\"t\":%d,\"i\":%d}", t, i);
		if (spool_batch_put(batch, line, (size_t)n, names[t][i],
		    sizeof names[t][i], why, sizeof why) < 0)
			__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

/* A submit's word, counted once per call. */
static void
submitted(void *arg, int rc, const char *name, const char *why)
{
	(void)why;
	if (rc == 0 && name && *name)
		__atomic_add_fetch((int *)arg, 1, __ATOMIC_RELAXED);
	else
		__atomic_add_fetch(&failures, 1, __ATOMIC_RELAXED);
}

/* 1 when file dir/new/name holds line as one of its lines. */
static int
entry_has(const char *name, const char *line)
{
	char path[512], buf[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/new/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return 0;
	while (fgets(buf, sizeof buf, f))
		if (strcmp(buf, line) == 0)
			found++;
	fclose(f);
	return found == 1;
}

static int
count(const char *sub, long *lines)
{
	char path[512], buf[256];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d))) {
		FILE *f;
		if (e->d_name[0] == '.')
			continue;
		n++;
		snprintf(path, sizeof path, "%s/%s/%s", dir, sub, e->d_name);
		if (lines && (f = fopen(path, "r"))) {
			while (fgets(buf, sizeof buf, f))
				(*lines)++;
			fclose(f);
		}
	}
	closedir(d);
	return n;
}

int
main(void)
{
	pthread_t th[THREADS];
	char why[256], line[64];
	long lines = 0;
	int entries, bad = 0;

	if (!mkdtemp(dir) || spool_init(dir, why, sizeof why) < 0) {
		perror(dir);
		return 1;
	}
	CHECK((batch = spool_batch_new(dir, 2)) != NULL);
	for (long t = 0; t < THREADS; t++)
		pthread_create(&th[t], NULL, putter, (void *)t);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK(failures == 0);
	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PUTS; i++) {
			snprintf(line, sizeof line, "{\"t\":%d,\"i\":%d}\n", t,
			    i);
			bad += !entry_has(names[t][i], line);
		}
	CHECK(bad == 0);
	entries = count("new", &lines);
	CHECK(lines == THREADS * PUTS);
	CHECK(entries >= 1 && entries <= THREADS * PUTS);
	CHECK(count("tmp", NULL) == 0);
	printf("%d lines in %d entries\n", THREADS * PUTS, entries);
	/* The writers' figures agree with what is on disk. */
	struct spool_batch_stats st;
	unsigned long in_buckets = 0;
	spool_batch_stats(batch, &st);
	for (int i = 0; i <= SPOOL_NBUCKETS; i++)
		in_buckets += st.le[i];
	CHECK(st.entries == (unsigned long)entries);
	CHECK(st.reports == THREADS * PUTS);
	CHECK(st.failed == 0 && in_buckets == st.entries && st.seconds > 0);

	/* Handed over without waiting: freeing the batcher writes what it
	 * holds first, and every line is told of exactly once. */
	struct spool_batch *async = spool_batch_new(dir, 1);
	int told = 0, handed = 0;
	lines = 0;
	CHECK(async != NULL);
	for (int i = 0; i < 500; i++) {
		int n = snprintf(line, sizeof line, "{\"a\":%d}", i);
		handed += spool_batch_submit(async, line, (size_t)n,
		    submitted, &told) == 0;
	}
	spool_batch_free(async);
	CHECK(handed == 500 && told == 500 && failures == 0);
	count("new", &lines);
	CHECK(lines == THREADS * PUTS + 500);

	/* A spool that cannot be written fails every waiter, with why. */
	struct spool_batch *gone = spool_batch_new("/nonexistent/spool", 2);
	char name[256];
	why[0] = '\0';
	CHECK(spool_batch_put(gone, "{}", 2, name, sizeof name, why,
	    sizeof why) < 0 && strstr(why, "/nonexistent/spool") != NULL);
	spool_batch_stats(gone, &st);
	CHECK(st.failed == 1 && st.entries == 0 && st.reports == 0);
	spool_batch_free(gone);
	spool_batch_free(batch);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done();
}
