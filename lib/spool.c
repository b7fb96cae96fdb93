/* spool: a maildir-style durable queue. */
#include "spool.h"
#include "fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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

static int
fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	int rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
spool_write(const char *dir, const void *data, size_t len, char *name,
    size_t namelen, char *why, size_t whylen)
{
	static unsigned counter;
	char host[64] = "localhost", tmp[PATH_MAX], dst[PATH_MAX],
	    newdir[PATH_MAX];
	struct timespec ts;
	const char *p = data;
	int fd;

	gethostname(host, sizeof host - 1);
	for (char *h = host; *h; h++)
		if (*h == '/' || *h == ':')
			*h = '_';
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Entries may be written from several threads at once (inc-httpd). */
	snprintf(name, namelen, "%lld.%06ld.P%dQ%u.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (int)getpid(),
	    __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED), host);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", dir, name);
	snprintf(dst, sizeof dst, "%s/new/%s", dir, name);
	snprintf(newdir, sizeof newdir, "%s/new", dir);

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) < 0 || fsync_dir(newdir) < 0)
		goto fail;
	return 0;
fail:
	snprintf(why, whylen, "%s: %s", tmp, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
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
