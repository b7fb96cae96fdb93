/* spool: a maildir-style durable queue. */
#include "spool.h"
#include "clock.h"
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *subdirs[] = { "tmp", "new", "cur", "bad" };

int
spool_init(const char *dir, char *why, size_t whylen)
{
	char p[PATH_MAX];

	for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, subdirs[i]);
		if (fs_mkdir_p(p, 0700) < 0) {
			snprintf(why, whylen, "%s: %s", p, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* write(2) all of data to fd. */
static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The entry as an unnamed file of tmp/ (O_TMPFILE), fsynced, then linked
 * into new/: the same tmp/ -> fsync -> new/ step as a rename, without a
 * name in tmp/ to create and remove.  On ext4 that name costs the fsync
 * a write of tmp/'s block too (12% of an entry here), and a crash leaves
 * no tmp/ file behind.  1 when it was written, 0 when this file system or
 * an absent /proc cannot do it (nothing written: use a named file), -1 on
 * a real failure (errno).
 */
static int
write_unnamed(int tfd, int nfd, const char *name, const void *data,
    size_t len)
{
	char proc[64];
	int fd = openat(tfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600), e;

	if (fd < 0)
		return errno == EOPNOTSUPP || errno == EISDIR ||
		    errno == EINVAL ? 0 : -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0)
		goto fail;
	/* Linking by descriptor (AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH;
	 * open(2) names /proc/self/fd for everyone else. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, nfd, name, AT_SYMLINK_FOLLOW) < 0) {
		e = errno;
		close(fd);
		if (e == ENOENT && faccessat(nfd, ".", F_OK, 0) == 0)
			return 0;	/* no /proc */
		errno = e;
		return -1;
	}
	if (close(fd) < 0) {
		/* Not known to be whole: take the name back. */
		e = errno;
		unlinkat(nfd, name, 0);
		errno = e;
		return -1;
	}
	return 1;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* The entry written to tmp/name, fsynced and renamed into new/. */
static int
write_named(int tfd, int nfd, const char *name, const void *data,
    size_t len)
{
	int fd = openat(tfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600), e;

	if (fd < 0)
		return -1;
	if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		goto fail;
	}
	if (close(fd) < 0 || renameat(tfd, name, nfd, name) < 0) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlinkat(tfd, name, 0);
	errno = e;
	return -1;
}

int
spool_write(const char *dir, const void *data, size_t len, char *name,
    size_t namelen, char *why, size_t whylen)
{
	static unsigned counter;
	static int unnamed = 1;	/* until the file system says otherwise */
	char host[64] = "localhost", path[PATH_MAX];
	struct timespec ts;
	int tfd = -1, nfd = -1, rc = 0;

	gethostname(host, sizeof host - 1);
	for (char *h = host; *h; h++)
		if (*h == '/' || *h == ':')
			*h = '_';
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Entries may be written from several threads at once (inc-httpd). */
	snprintf(name, namelen, "%lld.%06ld.P%dQ%u.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (int)getpid(),
	    __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), host);

	snprintf(path, sizeof path, "%s/tmp", dir);
	if ((tfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/new", dir);
	if ((nfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/tmp/%s", dir, name);
	/* rc: 1 written, 0 not yet, -1 failed. */
	if (__atomic_load_n(&unnamed, __ATOMIC_RELAXED) &&
	    (rc = write_unnamed(tfd, nfd, name, data, len)) == 0)
		__atomic_store_n(&unnamed, 0, __ATOMIC_RELAXED);
	if (rc == 0)
		rc = write_named(tfd, nfd, name, data, len) == 0 ? 1 : -1;
	if (rc < 0)
		goto fail;
	snprintf(path, sizeof path, "%s/new", dir);
	if (fsync(nfd) < 0) {
		/* Not known to be durable, so not accepted: take it back,
		 * or a sender retrying after the error would find it twice. */
		snprintf(why, whylen, "fsync %s: %s", path, strerror(errno));
		unlinkat(nfd, name, 0);
		close(tfd);
		close(nfd);
		return -1;
	}
	close(tfd);
	close(nfd);
	return 0;
fail:
	snprintf(why, whylen, "%s: %s", path, strerror(errno));
	if (tfd >= 0)
		close(tfd);
	if (nfd >= 0)
		close(nfd);
	return -1;
}

int
spool_name_valid(const char *name)
{
	return *name && strchr(name, '/') == NULL && strcmp(name, ".") != 0 &&
	    strcmp(name, "..") != 0 && name[0] != '.';
}

/*
 * Oldest first: names start with seconds and microseconds.  Compare the
 * numbers, not the strings, so that a shorter seconds field still sorts.
 */
static int
cmp_names(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	char *ex, *ey;
	unsigned long long sx = strtoull(x, &ex, 10), sy = strtoull(y, &ey, 10);

	if (sx != sy)
		return sx < sy ? -1 : 1;
	if (*ex == '.' && *ey == '.') {
		unsigned long long ux = strtoull(ex + 1, NULL, 10);
		unsigned long long uy = strtoull(ey + 1, NULL, 10);
		if (ux != uy)
			return ux < uy ? -1 : 1;
	}
	return strcmp(x, y);
}

char **
spool_list(const char *dir, const char *sub)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	char **names;
	size_t n = 0, cap = 64;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	if (!(d = opendir(path)))
		return NULL;
	if (!(names = malloc(cap * sizeof *names)))
		goto fail;
	while ((de = readdir(d)) != NULL) {
		if (!spool_name_valid(de->d_name))
			continue;
		if (n + 1 >= cap) {
			char **nn = realloc(names, cap * 2 * sizeof *names);
			if (!nn)
				goto fail;
			names = nn;
			cap *= 2;
		}
		if (!(names[n] = strdup(de->d_name)))
			goto fail;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	names[n] = NULL;
	return names;
fail:
	if (names) {
		names[n] = NULL;
		spool_list_free(names);
	}
	closedir(d);
	errno = ENOMEM;
	return NULL;
}

void
spool_list_free(char **names)
{
	if (!names)
		return;
	for (char **p = names; *p; p++)
		free(*p);
	free(names);
}

static int
move(const char *dir, const char *from, const char *to, const char *name)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!spool_name_valid(name)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(a, sizeof a, "%s/%s/%s", dir, from, name);
	snprintf(b, sizeof b, "%s/%s/%s", dir, to, name);
	return rename(a, b);
}

int
spool_claim(const char *dir, const char *name)
{
	return move(dir, "new", "cur", name);
}

int
spool_bad(const char *dir, const char *name)
{
	return move(dir, "cur", "bad", name);
}

int
spool_done(const char *dir, const char *name)
{
	char p[PATH_MAX];

	if (!spool_name_valid(name)) {
		errno = EINVAL;
		return -1;
	}
	snprintf(p, sizeof p, "%s/cur/%s", dir, name);
	if (unlink(p) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int
spool_watch(const char *dir)
{
	char p[PATH_MAX];
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -1;
	snprintf(p, sizeof p, "%s/new", dir);
	if (inotify_add_watch(fd, p, IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
spool_wait(int wfd, int timeout_ms)
{
	struct pollfd p = { .fd = wfd, .events = POLLIN };
	char buf[4096];
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return errno == EINTR ? 0 : -1;
	if (r == 0)
		return 0;
	while (read(wfd, buf, sizeof buf) > 0)
		;
	return 1;
}

/* Group commit */

/*
 * Writer threads write the entries.  A caller hands its line over and
 * goes on (inc-httpd's event loop must never wait for a disk); a writer
 * that comes free takes everything handed over since, so under load one
 * fsync serves many reports and no writer sleeps between entries.  With
 * two writers a report arriving during a write does not wait for it to
 * end: its own entry's fsync starts at once, beside the other (which pays
 * only on a disk that flushes in parallel).
 */
struct waiter {
	spool_done_fn fn;
	void *arg;
	size_t len;
	struct waiter *next;
	char line[];
};

struct spool_batch {
	char *dir;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct waiter *head, **tail;	/* waiting for the next write */
	int idle;			/* writers asleep on wake */
	struct spool_batch_stats stats;
	int stop;
	pthread_t *writers;
	int nwriters;
};

const double spool_commit_buckets[SPOOL_NBUCKETS] = {
	0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256,
};

/* Count an entry of n reports that took us microseconds (rc: how it went). */
static void
count_entry(struct spool_batch *b, int rc, unsigned long n, long long us)
{
	double secs = (double)us / 1e6;
	int i;

	pthread_mutex_lock(&b->lock);
	if (rc < 0) {
		b->stats.failed++;
	} else {
		for (i = 0; i < SPOOL_NBUCKETS &&
		    secs > spool_commit_buckets[i]; i++)
			;
		b->stats.le[i]++;
		b->stats.entries++;
		b->stats.reports += n;
		b->stats.seconds += secs;
	}
	pthread_mutex_unlock(&b->lock);
}

void
spool_batch_stats(struct spool_batch *b, struct spool_batch_stats *st)
{
	pthread_mutex_lock(&b->lock);
	*st = b->stats;
	pthread_mutex_unlock(&b->lock);
}

/* Write the batch w as one entry and tell each of its callers. */
static void
write_batch(struct spool_batch *b, struct waiter *w)
{
	char name[256], why[256];
	size_t len = 0, at = 0;
	unsigned long n = 0;
	struct waiter *next;
	long long t0 = 0;
	char *buf;
	int rc;

	for (struct waiter *p = w; p; p = p->next) {
		len += p->len + 1;
		n++;
	}
	if (!(buf = malloc(len))) {
		rc = -1;
		snprintf(why, sizeof why, "out of memory");
	} else {
		for (struct waiter *p = w; p; p = p->next) {
			memcpy(buf + at, p->line, p->len);
			at += p->len;
			buf[at++] = '\n';
		}
		t0 = clock_us();
		rc = spool_write(b->dir, buf, len, name, sizeof name, why,
		    sizeof why);
		free(buf);
	}
	/* Counted before anyone is answered: a client that reads /metrics
	 * after its 202 finds its entry there. */
	count_entry(b, rc, n, rc < 0 ? 0 : clock_us() - t0);
	for (struct waiter *p = w; p; p = next) {
		next = p->next;
		p->fn(p->arg, rc, rc == 0 ? name : NULL, rc == 0 ? NULL : why);
		free(p);
	}
}

static void *
writer(void *arg)
{
	struct spool_batch *b = arg;
	struct waiter *w;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->head && !b->stop) {
			b->idle++;
			pthread_cond_wait(&b->wake, &b->lock);
			b->idle--;
		}
		/* Stopping still writes what was handed over. */
		if (!b->head)
			break;
		w = b->head;
		b->head = NULL;
		b->tail = &b->head;
		pthread_mutex_unlock(&b->lock);
		write_batch(b, w);
		pthread_mutex_lock(&b->lock);
	}
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

struct spool_batch *
spool_batch_new(const char *dir, int writers)
{
	struct spool_batch *b = calloc(1, sizeof *b);

	if (!b || !(b->dir = strdup(dir)) ||
	    !(b->writers = calloc(writers > 0 ? writers : 1,
	    sizeof *b->writers))) {
		if (b)
			free(b->dir);
		free(b);
		return NULL;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	b->tail = &b->head;
	for (int i = 0; i < (writers > 0 ? writers : 1); i++) {
		if ((errno = pthread_create(&b->writers[i], NULL, writer,
		    b)) != 0) {
			int e = errno;
			spool_batch_free(b);
			errno = e;
			return NULL;
		}
		b->nwriters++;
	}
	return b;
}

void
spool_batch_free(struct spool_batch *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->lock);
	b->stop = 1;
	pthread_cond_broadcast(&b->wake);
	pthread_mutex_unlock(&b->lock);
	for (int i = 0; i < b->nwriters; i++)
		pthread_join(b->writers[i], NULL);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	free(b->writers);
	free(b->dir);
	free(b);
}

int
spool_batch_submit(struct spool_batch *b, const char *line, size_t len,
    spool_done_fn fn, void *arg)
{
	struct waiter *w = malloc(sizeof *w + len);
	int wake;

	if (!w)
		return -1;
	w->fn = fn;
	w->arg = arg;
	w->len = len;
	w->next = NULL;
	memcpy(w->line, line, len);
	pthread_mutex_lock(&b->lock);
	*b->tail = w;
	b->tail = &w->next;
	/* Busy writers take it on their next turn without being woken. */
	wake = b->idle > 0;
	pthread_mutex_unlock(&b->lock);
	/* After unlocking: a writer woken under the lock would only wake to
	 * sleep on the mutex. */
	if (wake)
		pthread_cond_signal(&b->wake);
	return 0;
}

/* spool_batch_put waits on a semaphore the writer posts. */
struct put_wait {
	sem_t sem;
	int rc;
	char *name, *why;
	size_t namelen, whylen;
};

static void
put_done(void *arg, int rc, const char *name, const char *why)
{
	struct put_wait *p = arg;

	p->rc = rc;
	if (rc == 0)
		snprintf(p->name, p->namelen, "%s", name);
	else
		snprintf(p->why, p->whylen, "%s", why);
	sem_post(&p->sem);
}

int
spool_batch_put(struct spool_batch *b, const char *line, size_t len,
    char *name, size_t namelen, char *why, size_t whylen)
{
	struct put_wait p = { .name = name, .namelen = namelen, .why = why,
	    .whylen = whylen };

	sem_init(&p.sem, 0, 0);
	if (spool_batch_submit(b, line, len, put_done, &p) < 0) {
		sem_destroy(&p.sem);
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	while (sem_wait(&p.sem) < 0 && errno == EINTR)
		;
	sem_destroy(&p.sem);
	return p.rc;
}

/* The index of waiting ids */

/*
 * Ids are kept per entry file: an entry holds every report of one group
 * commit, so a sweep looks each file up once, not once an id (a tenth of
 * the lookups at 5,000 reports/s), and relative to the directory, not
 * down the whole path.  In inc-httpd a sweep of 20,000 ids by path took
 * a core for 100 ms and was the longest stall the paced benchmark saw.
 */

/* A chained hash table of nodes named by a string; ids and files alike. */
struct ix_node {
	struct ix_node *next;
	const char *key;
};

struct ix_table {
	struct ix_node **b;
	size_t nb, n;
};

struct ix_file {
	struct ix_node node;		/* key: name */
	struct ix_ent *ids;		/* waiting in it */
	char name[];
};

struct ix_ent {
	struct ix_node node;		/* key: the id, ours */
	struct ix_file *file;
	struct ix_ent *fnext;		/* in its file */
};

struct spool_index {
	pthread_mutex_t lock;
	int dfd[3];			/* new/, cur/, bad/ */
	struct ix_table ids, files;
	size_t prune_at;
	int sweeping;			/* a sweep is under way, */
	size_t cursor;			/* at this file bucket */
};

static const char *const ix_subs[] = { "new", "cur", "bad" };

static size_t
ix_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Double t's buckets (to first when it has none yet); -1 on ENOMEM. */
static int
tab_grow(struct ix_table *t, size_t first)
{
	size_t nb = t->nb ? t->nb * 2 : first;
	struct ix_node **b = calloc(nb, sizeof *b);

	if (!b)
		return -1;
	for (size_t i = 0; i < t->nb; i++)
		for (struct ix_node *e = t->b[i], *next; e; e = next) {
			size_t h = ix_hash(e->key) & (nb - 1);
			next = e->next;
			e->next = b[h];
			b[h] = e;
		}
	free(t->b);
	t->b = b;
	t->nb = nb;
	return 0;
}

/* The link that points at key's node, or at the NULL ending its chain. */
static struct ix_node **
tab_slot(struct ix_table *t, const char *key)
{
	struct ix_node **p = &t->b[ix_hash(key) & (t->nb - 1)];

	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->next;
	return p;
}

/* Where entry name is now: "new", "cur", "bad", or NULL when gone. */
static const char *
entry_where(const struct spool_index *x, const char *name)
{
	for (int i = 0; i < 3; i++)
		if (faccessat(x->dfd[i], name, F_OK, 0) == 0)
			return ix_subs[i];
	return NULL;
}

/* The file record of name, made if need be; NULL on ENOMEM. */
static struct ix_file *
ix_file(struct spool_index *x, const char *name)
{
	struct ix_node **p = tab_slot(&x->files, name);
	struct ix_file *f;
	size_t len = strlen(name);

	if (*p)
		return (struct ix_file *)*p;
	if (x->files.n >= x->files.nb) {
		if (tab_grow(&x->files, 256) < 0)
			return NULL;
		p = tab_slot(&x->files, name);
	}
	if (!(f = malloc(sizeof *f + len + 1)))
		return NULL;
	memcpy(f->name, name, len + 1);
	f->node = (struct ix_node){ .key = f->name };
	f->ids = NULL;
	*p = &f->node;
	x->files.n++;
	return f;
}

/* Forget file f, which holds no id now or is gone. */
static void
ix_file_free(struct spool_index *x, struct ix_file *f)
{
	struct ix_node **p = tab_slot(&x->files, f->name);

	*p = f->node.next;
	free(f);
	x->files.n--;
}

/* Take e out of its file's list, and the file away once it is empty. */
static void
ix_unfile(struct spool_index *x, struct ix_ent *e)
{
	struct ix_ent **p = &e->file->ids;

	while (*p != e)
		p = &(*p)->fnext;
	*p = e->fnext;
	if (!e->file->ids)
		ix_file_free(x, e->file);
}

/* Drop the ids of file f, which is gone, and f with them. */
static void
ix_drop_file(struct spool_index *x, struct ix_file *f)
{
	for (struct ix_ent *e = f->ids, *next; e; e = next) {
		struct ix_node **p = tab_slot(&x->ids, e->node.key);
		next = e->fnext;
		*p = e->node.next;
		free((char *)e->node.key);
		free(e);
		x->ids.n--;
	}
	ix_file_free(x, f);
}

/*
 * Copies of the names of the files in buckets [from, to) into *names (of
 * *cap), their count in *n; -1 on ENOMEM with none kept.
 */
static int
ix_names(struct spool_index *x, size_t from, size_t to, char ***names,
    size_t *cap, size_t *n)
{
	for (size_t j = from; j < to && j < x->files.nb; j++)
		for (struct ix_node *f = x->files.b[j]; f; f = f->next) {
			if (*n == *cap) {
				size_t c = *cap ? *cap * 2 : 64;
				char **v = realloc(*names, c * sizeof *v);
				if (!v)
					goto oom;
				*names = v;
				*cap = c;
			}
			if (!((*names)[*n] = strdup(f->key)))
				goto oom;
			(*n)++;
		}
	return 0;
oom:
	while (*n > 0)
		free((*names)[--*n]);
	return -1;
}

/*
 * A sweep goes a few file buckets at a time, and looks the files up with
 * the lock let go: holding it through the lookups (even a chunk at a time,
 * since this thread took it straight back) made every accept wait behind
 * the sweep, and the paced bench's p99 on tmpfs went from 4-10 ms to
 * 9-46 ms.  A file found gone cannot have got ids meanwhile: ids are only
 * added to an entry just written.  A table that grows between steps only
 * means some files are looked at twice, or next time.
 */
int
spool_index_tidy(struct spool_index *x, int budget_ms)
{
	enum { CHUNK = 64 };
	int64_t end = clock_ms() + budget_ms;
	char **names = NULL;
	size_t cap = 0;
	int more;

	pthread_mutex_lock(&x->lock);
	if (!x->sweeping) {
		if (x->ids.n < x->prune_at) {
			pthread_mutex_unlock(&x->lock);
			return 0;
		}
		x->sweeping = 1;
		x->cursor = 0;
	}
	do {
		size_t n = 0, to = x->cursor + CHUNK;
		if (ix_names(x, x->cursor, to, &names, &cap, &n) < 0)
			break;		/* out of memory: the next call goes on */
		x->cursor = to;
		pthread_mutex_unlock(&x->lock);
		for (size_t i = 0; i < n; i++)
			if (entry_where(x, names[i])) {
				free(names[i]);
				names[i] = NULL;
			}
		pthread_mutex_lock(&x->lock);
		for (size_t i = 0; i < n; i++) {
			struct ix_node *f;
			if (names[i] && (f = *tab_slot(&x->files, names[i])))
				ix_drop_file(x, (struct ix_file *)f);
			free(names[i]);
		}
		if (x->cursor >= x->files.nb) {
			/* Not again before it has doubled: constant cost a
			 * report. */
			x->sweeping = 0;
			x->prune_at = x->ids.n * 2 > 4096 ? x->ids.n * 2 :
			    4096;
		}
	} while (x->sweeping && clock_ms() < end);
	more = x->sweeping;
	pthread_mutex_unlock(&x->lock);
	free(names);
	return more;
}

static int
ix_add(struct spool_index *x, const char *id, const char *name)
{
	struct ix_node **p;
	struct ix_file *f;
	struct ix_ent *e;

	if (!(f = ix_file(x, name)))
		return -1;
	if (x->ids.n >= x->ids.nb && tab_grow(&x->ids, 1024) < 0)
		goto fail;
	if ((e = (struct ix_ent *)*(p = tab_slot(&x->ids, id)))) {
		/* Sent again after its entry went to bad/. */
		if (e->file == f)
			return 0;
		ix_unfile(x, e);
	} else {
		char *key = strdup(id);
		if (!key || !(e = calloc(1, sizeof *e))) {
			free(key);
			goto fail;
		}
		e->node.key = key;
		*p = &e->node;
		x->ids.n++;
	}
	e->file = f;
	e->fnext = f->ids;
	f->ids = e;
	return 0;
fail:
	if (!f->ids)		/* made for this id */
		ix_file_free(x, f);
	return -1;
}

int
spool_index_add(struct spool_index *x, const char *id, const char *name)
{
	int rc;

	pthread_mutex_lock(&x->lock);
	rc = ix_add(x, id, name);
	pthread_mutex_unlock(&x->lock);
	return rc;
}

int
spool_index_find(struct spool_index *x, const char *id, char *name,
    size_t namelen, const char **where)
{
	struct ix_ent *e;
	int found = 0;

	pthread_mutex_lock(&x->lock);
	if ((e = (struct ix_ent *)*tab_slot(&x->ids, id))) {
		snprintf(name, namelen, "%s", e->file->name);
		found = 1;
	}
	pthread_mutex_unlock(&x->lock);
	return found && (*where = entry_where(x, name)) != NULL;
}

size_t
spool_index_size(struct spool_index *x)
{
	size_t n;

	pthread_mutex_lock(&x->lock);
	n = x->ids.n;
	pthread_mutex_unlock(&x->lock);
	return n;
}

/* The ids of one entry's JSON lines; other content is not ours to index. */
static int
ix_read_entry(struct spool_index *x, int sub, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int fd, rc = 0;

	if ((fd = openat(x->dfd[sub], name, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!(f = fdopen(fd, "r"))) {
		close(fd);
		return -1;
	}
	while (rc == 0 && (n = getline(&line, &cap, f)) > 0) {
		json_t *v = json_loadb(line, (size_t)n, JSON_REJECT_DUPLICATES,
		    NULL);
		const char *id = json_string_value(json_object_get(v, "id"));
		if (id && *id)
			rc = ix_add(x, id, name);
		json_decref(v);
	}
	free(line);
	fclose(f);
	return rc;
}

struct spool_index *
spool_index_new(const char *dir)
{
	struct spool_index *x = calloc(1, sizeof *x);

	if (!x)
		return NULL;
	pthread_mutex_init(&x->lock, NULL);
	for (int i = 0; i < 3; i++)
		x->dfd[i] = -1;
	if (tab_grow(&x->ids, 1024) < 0 || tab_grow(&x->files, 256) < 0)
		goto fail;
	for (int i = 0; i < 3; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, ix_subs[i]);
		if ((x->dfd[i] = open(path, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			goto fail;
	}
	for (int i = 0; i < 3; i++) {
		char **names = spool_list(dir, ix_subs[i]);
		int rc = 0;
		if (!names)
			goto fail;
		for (char **p = names; *p && rc == 0; p++)
			rc = ix_read_entry(x, i, *p);
		spool_list_free(names);
		if (rc < 0)
			goto fail;
	}
	x->prune_at = x->ids.n * 2 > 4096 ? x->ids.n * 2 : 4096;
	return x;
fail:
	spool_index_free(x);
	return NULL;
}

void
spool_index_free(struct spool_index *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->files.nb; i++)
		for (struct ix_node *n = x->files.b[i], *next; n; n = next) {
			struct ix_file *f = (struct ix_file *)n;
			next = n->next;
			for (struct ix_ent *e = f->ids, *en; e; e = en) {
				en = e->fnext;
				free((char *)e->node.key);
				free(e);
			}
			free(f);
		}
	for (int i = 0; i < 3; i++)
		if (x->dfd[i] >= 0)
			close(x->dfd[i]);
	free(x->ids.b);
	free(x->files.b);
	pthread_mutex_destroy(&x->lock);
	free(x);
}
