/*
 * httpd: libmicrohttpd plumbing and the respond helper.  See httpd.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "httpd.h"
#include "clock.h"
#include "json.h"

/* libmicrohttpd before 0.9.71 returned int, not enum MHD_Result. */
#if MHD_VERSION < 0x00097002
#define MHD_Result int
#endif

#define SD_LISTEN_FDS_START 3

/*
 * One connection, from accept to close, for the head deadline: libmicro-
 * httpd only calls the handler once the head is complete, and its own
 * timeout is an idle timeout that every byte resets, so a client dribbling
 * its head a byte at a time would otherwise keep the connection for ever.
 */
struct conn {
	int fd;
	int waiting;		/* 1 while a request head is incomplete */
	int64_t since;		/* when that wait began (monotonic, ms) */
	struct conn *prev, *next;
};

/*
 * One request, from its head until its answer is queued.  The answer may
 * be made on another thread (a worker's, the spool writer's): it is kept
 * here, and the event loop queues it, since only the event loop may touch
 * a connection's state.
 */
struct upload {
	char *buf;
	size_t len, cap;
	int too_large;
	int early;		/* 413 sent before the body was read */
	int called;		/* the handler has been called */
	int delivered;		/* the answer is queued */
	struct httpd_req req;
	struct MHD_Response *resp;	/* NULL with answered: close */
	unsigned status;
	int answered;
	/* The handler's run and the answer: at 0 both are over, and a
	 * suspended connection goes back to the event loop. */
	int refs;
	int offload;		/* httpd_to_worker() was called */
	int deferred;		/* httpd_defer() was called */
	int suspended;
	int inflight;		/* counted in httpd.inflight */
	int64_t t0;		/* the request was whole (monotonic, ms) */
	struct upload *qnext;	/* the workers' queue */
};

struct httpd {
	struct MHD_Daemon *d;
	struct httpd_opts o;
	httpd_handler fn;
	void *arg;
	pthread_mutex_t lock;	/* conns: MHD's threads and the reaper */
	pthread_mutex_t serial;	/* one worker's handler at a time */
	struct conn *conns;
	/* Requests for the workers, oldest first. */
	pthread_mutex_t qlock;
	pthread_cond_t qcond;
	struct upload *qhead, **qtail;
	int stopping;
	pthread_t *workers;
	unsigned nworkers;
	/* Requests whose handler was called and whose answer has not left
	 * (atomic): httpd_stop waits for them. */
	int inflight;
	int draining;		/* httpd_stop has begun (atomic) */
};

/* Sockets */

static void
sock_name(int fd, char *where, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (!where || !len)
		return;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
			port = ntohs(s4->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, host,
			    sizeof host);
			port = ntohs(s6->sin6_port);
			snprintf(where, len, "[%s]:%u", host, port);
			return;
		}
	}
	snprintf(where, len, "%s:%u", host, port);
}

/* The same test as sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1). */
static int
is_listening_stream(int fd)
{
	int type = 0, acc = 0;
	socklen_t l = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 ||
	    type != SOCK_STREAM)
		return 0;
	l = sizeof acc;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l) < 0)
		return 0;
	return acc == 1;
}

static int
from_systemd(int *fd, char *why, size_t whylen)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *end;
	long n;

	if (!pid || !fds)
		return 0;
	/* Variables meant for another process (our parent) are not ours. */
	if (strtol(pid, &end, 10) != (long)getpid() || *end)
		return 0;
	n = strtol(fds, &end, 10);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (*end || n < 1) {
		snprintf(why, whylen, "LISTEN_FDS=%s: no socket from systemd",
		    fds);
		return -1;
	}
	/* One server, one socket: an extra one would be silently unused. */
	if (n > 1) {
		snprintf(why, whylen, "systemd passed %ld sockets, inc-httpd "
		    "takes exactly one (one ListenStream= line)", n);
		return -1;
	}
	if (!is_listening_stream(SD_LISTEN_FDS_START)) {
		snprintf(why, whylen, "fd %d from systemd is not a listening "
		    "stream socket", SD_LISTEN_FDS_START);
		return -1;
	}
	*fd = SD_LISTEN_FDS_START;
	return 1;
}

static int
bind_listen(const char *listen_on, int *fd, char *why, size_t whylen)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints = { 0 }, *ai = NULL, *a;
	int s = -1, rc, one = 1, err = 0;

	if (listen_on[0] == '[') {
		const char *close = strchr(listen_on, ']');
		if (!close || close[1] != ':' || (size_t)(close - listen_on)
		    > sizeof host) {
			snprintf(why, whylen, "%.200s: not [ADDR]:PORT",
			    listen_on);
			return -1;
		}
		snprintf(host, sizeof host, "%.*s",
		    (int)(close - listen_on - 1), listen_on + 1);
		port = close + 2;
	} else {
		colon = strrchr(listen_on, ':');
		if (!colon || (size_t)(colon - listen_on) >= sizeof host) {
			snprintf(why, whylen, "%.200s: not ADDR:PORT",
			    listen_on);
			return -1;
		}
		snprintf(host, sizeof host, "%.*s", (int)(colon - listen_on),
		    listen_on);
		port = colon + 1;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0) {
		snprintf(why, whylen, "%.200s: %s", listen_on,
		    gai_strerror(rc));
		return -1;
	}
	for (a = ai; a; a = a->ai_next) {
		s = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
		    a->ai_protocol);
		if (s < 0) {
			err = errno;
			continue;
		}
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(s, a->ai_addr, a->ai_addrlen) == 0 &&
		    listen(s, 128) == 0)
			break;
		err = errno;
		close(s);
		s = -1;
	}
	freeaddrinfo(ai);
	if (s < 0) {
		snprintf(why, whylen, "%.200s: %s", listen_on, strerror(err));
		return -1;
	}
	*fd = s;
	return 0;
}

int
httpd_socket(const char *listen_on, int *fd, char *where, size_t wherelen,
    char *why, size_t whylen)
{
	int rc = from_systemd(fd, why, whylen);

	if (rc < 0)
		return -1;
	if (rc == 0 && bind_listen(listen_on, fd, why, whylen) < 0)
		return -1;
	/* libmicrohttpd wants a non-blocking listening socket. */
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK);
	fcntl(*fd, F_SETFD, FD_CLOEXEC);
	sock_name(*fd, where, wherelen);
	return 0;
}

/* Answers */

/*
 * The handler's run or the answer is over; after the last of the two, a
 * suspended connection is resumed, and u may be gone once this returns.
 */
static void
finish(struct upload *u)
{
	/* Read before the count drops: the event loop may free u after. */
	int suspended = u->suspended;
	struct MHD_Connection *c = u->req.conn;

	if (__atomic_sub_fetch(&u->refs, 1, __ATOMIC_ACQ_REL) == 0 &&
	    suspended)
		MHD_resume_connection(c);
}

/* Keep the answer r (NULL: close the connection) for the event loop. */
static int
answer(struct httpd_req *req, unsigned status, struct MHD_Response *r)
{
	struct upload *u = req->priv;

	if (u->answered) {
		/* Answered twice: a bug in the handler; the first stands. */
		if (r)
			MHD_destroy_response(r);
		return -1;
	}
	u->resp = r;
	u->status = status;
	u->answered = 1;
	req->status = r ? (int)status : 0;
	finish(u);
	return r ? 0 : -1;
}

static int
queue(struct httpd_req *req, unsigned status, const char *type, char *data,
    size_t len, const char *const *hdrs)
{
	struct MHD_Response *r;

	if (!data)
		return answer(req, 0, NULL);
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(data);
		return answer(req, 0, NULL);
	}
	if (type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    type);
	for (; hdrs && hdrs[0] && hdrs[1]; hdrs += 2)
		MHD_add_response_header(r, hdrs[0], hdrs[1]);
	return answer(req, status, r);
}

int
httpd_respond(struct httpd_req *req, unsigned status, json_t *body,
    const char *const *hdrs)
{
	char *text = NULL;
	size_t len = 0;

	if (body) {
		/* lib/json: numbers as they were stored, not 17 digits. */
		struct json_buf b = { 0 };
		int rc = json_write(&b, body);
		json_decref(body);
		/* A final newline: curl and shells show answers neatly. */
		if (rc < 0 || json_buf_put(&b, "\n", 2) < 0) {
			json_buf_free(&b);
			return answer(req, 0, NULL);
		}
		text = b.data;
		len = b.len - 1;
	}
	return queue(req, status, body ? "application/json" : NULL,
	    text ? text : strdup(""), len, hdrs);
}

static int
verror(struct httpd_req *req, unsigned status, const char *const *hdrs,
    const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof msg, fmt, ap);
	return httpd_respond(req, status, json_pack("{s:s}", "error", msg),
	    hdrs);
}

int
httpd_respondf(struct httpd_req *req, unsigned status, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(req, status, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int
httpd_respond_error(struct httpd_req *req, unsigned status,
    const char *const *hdrs, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verror(req, status, hdrs, fmt, ap);
	va_end(ap);
	return rc;
}

int
httpd_respond_text(struct httpd_req *req, unsigned status, const char *type,
    const char *text, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy)
		return answer(req, 0, NULL);
	memcpy(copy, text, len);
	copy[len] = '\0';
	return queue(req, status, type, copy, len, NULL);
}

const char *
httpd_header(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
httpd_arg(const struct httpd_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn,
	    MHD_GET_ARGUMENT_KIND, name);
}

int
httpd_is_json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; \t");
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	/* RFC 6839 §3.1: the +json suffix (application/vnd.x+json). */
	return n > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/* Connections and their head deadline */

static void
notify_conn(void *cls, struct MHD_Connection *c, void **socket_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	struct conn *k = *socket_ctx;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		if (!(k = calloc(1, sizeof *k)))
			return;
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		k->fd = ci ? ci->connect_fd : -1;
		k->waiting = 1;
		k->since = clock_ms();
		pthread_mutex_lock(&h->lock);
		k->next = h->conns;
		if (h->conns)
			h->conns->prev = k;
		h->conns = k;
		pthread_mutex_unlock(&h->lock);
		*socket_ctx = k;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && k) {
		/* Called before libmicrohttpd closes the fd, so the reaper
		 * never shuts down a number that was reused. */
		pthread_mutex_lock(&h->lock);
		if (k->prev)
			k->prev->next = k->next;
		else
			h->conns = k->next;
		if (k->next)
			k->next->prev = k->prev;
		pthread_mutex_unlock(&h->lock);
		free(k);
		*socket_ctx = NULL;
	}
}

static struct conn *
conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void
set_waiting(struct httpd *h, struct MHD_Connection *c, int waiting)
{
	struct conn *k = conn_of(c);

	if (!k)
		return;
	pthread_mutex_lock(&h->lock);
	k->waiting = waiting;
	k->since = clock_ms();
	pthread_mutex_unlock(&h->lock);
}

int
httpd_reap(struct httpd *h)
{
	int64_t limit = (int64_t)h->o.head_timeout * 1000, t = clock_ms();
	int n = 0;

	pthread_mutex_lock(&h->lock);
	for (struct conn *k = h->conns; k; k = k->next)
		if (k->waiting && k->fd >= 0 && t - k->since > limit) {
			/* libmicrohttpd sees the end of the stream and
			 * closes the connection itself. */
			shutdown(k->fd, SHUT_RDWR);
			k->waiting = 0;
			n++;
		}
	pthread_mutex_unlock(&h->lock);
	return n;
}

/* Requests */

/* The request's answer has left, or never will: uncount it, once. */
static void
landed(struct httpd *h, struct upload *u)
{
	if (u->inflight) {
		u->inflight = 0;
		__atomic_sub_fetch(&h->inflight, 1, __ATOMIC_SEQ_CST);
	}
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;

	(void)toe;
	/* Keep-alive: the next request's head is now due. */
	set_waiting(cls, c, 1);
	if (u) {
		/* A client gone while its request was suspended is only
		 * seen here: the handler is not called again. */
		landed(cls, u);
		if (u->resp)
			MHD_destroy_response(u->resp);
		free(u->buf);
		free(u);
		*con_cls = NULL;
	}
}

/* Queue the answer the handler left in u (the event loop only). */
static enum MHD_Result
deliver(struct httpd *h, struct MHD_Connection *c, struct upload *u)
{
	enum MHD_Result ok;

	if (u->delivered)
		return MHD_YES;
	u->delivered = 1;
	landed(h, u);
	if (!u->resp)
		return MHD_NO;
	ok = MHD_queue_response(c, u->status, u->resp);
	MHD_destroy_response(u->resp);
	u->resp = NULL;
	if (h->o.done)
		h->o.done(&u->req, (double)(clock_ms() - u->t0) / 1000, h->arg);
	return ok;
}

/* Take c off the event loop until its answer is ready. */
static void
suspend(struct upload *u)
{
	MHD_suspend_connection(u->req.conn);
	u->suspended = 1;
}

/* An answer made before the handler runs (413): queued at once. */
static enum MHD_Result
refuse_large(struct httpd *h, struct MHD_Connection *c, struct upload *u)
{
	u->refs = 1;
	httpd_respondf(&u->req, MHD_HTTP_CONTENT_TOO_LARGE,
	    "request body over %zu bytes", h->o.max_body);
	return deliver(h, c, u);
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **con_cls)
{
	struct httpd *h = cls;
	struct upload *u = *con_cls;
	const char *cl;
	int rc;

	(void)version;
	if (!u) {
		/* The head is complete: the head deadline is met. */
		set_waiting(h, c, 0);
		if (!(u = calloc(1, sizeof *u)))
			return MHD_NO;
		*con_cls = u;
		u->req = (struct httpd_req){ .conn = c, .method = method,
		    .path = url, .server = h, .priv = u };
		u->t0 = clock_ms();
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		/* Refuse a declared oversize body before reading a byte of
		 * it; libmicrohttpd then closes the connection. */
		if (cl && strtoull(cl, NULL, 10) > h->o.max_body) {
			u->too_large = u->early = 1;
			return refuse_large(h, c, u);
		}
		return MHD_YES;
	}
	if (*size) {
		if (u->early)
			return MHD_NO;
		if (!u->too_large && u->len + *size > h->o.max_body)
			u->too_large = 1;
		if (u->too_large) {
			/* A chunked body without end is not read for ever. */
			u->len += *size;
			if (u->len > 2 * h->o.max_body)
				return MHD_NO;
		} else {
			if (u->len + *size + 1 > u->cap) {
				size_t cap = u->cap ? u->cap : 4096;
				while (cap < u->len + *size + 1)
					cap *= 2;
				char *b = realloc(u->buf, cap);
				if (!b)
					return MHD_NO;
				u->buf = b;
				u->cap = cap;
			}
			memcpy(u->buf + u->len, data, *size);
			u->len += *size;
		}
		*size = 0;
		return MHD_YES;
	}
	if (u->early)
		return MHD_YES;
	if (u->called) {
		/* Resumed: the answer is ready. */
		u->suspended = 0;
		return deliver(h, c, u);
	}
	u->called = 1;
	u->t0 = clock_ms();
	/*
	 * Counted before draining is looked at, and httpd_stop sets draining
	 * before it reads the count: either this request sees draining, or
	 * httpd_stop sees the request and waits for its answer.
	 */
	u->inflight = 1;
	__atomic_add_fetch(&h->inflight, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->draining, __ATOMIC_SEQ_CST)) {
		const char *hdrs[] = { "Connection", "close", NULL };
		u->refs = 1;
		httpd_respond_error(&u->req, MHD_HTTP_SERVICE_UNAVAILABLE, hdrs,
		    "shutting down: send it again");
		return deliver(h, c, u);
	}
	if (u->too_large)
		return refuse_large(h, c, u);
	if (u->buf)
		u->buf[u->len] = '\0';
	u->req.body = u->buf ? u->buf : "";
	u->req.len = u->len;
	u->refs = 2;		/* the handler's run, the answer */
	rc = h->fn(&u->req, h->arg);
	if (u->offload) {
		/* Suspended before a worker can see it: the worker's
		 * resume can never come first. */
		suspend(u);
		pthread_mutex_lock(&h->qlock);
		*h->qtail = u;
		h->qtail = &u->qnext;
		pthread_mutex_unlock(&h->qlock);
		pthread_cond_signal(&h->qcond);
		return MHD_YES;
	}
	if (!u->deferred && !u->answered)
		answer(&u->req, 0, NULL);	/* rc < 0: close */
	(void)rc;
	/* After this a deferred answer may resume c at any time. */
	finish(u);
	if (u->suspended)
		return MHD_YES;
	return deliver(h, c, u);
}

void
httpd_to_worker(struct httpd_req *req)
{
	struct upload *u = req->priv;

	if (!req->worker)
		u->offload = 1;
}

void
httpd_defer(struct httpd_req *req)
{
	struct upload *u = req->priv;

	u->deferred = 1;
	/* A worker's request is suspended already. */
	if (!req->worker)
		suspend(u);
}

/* A worker runs handlers one at a time, under the handler lock. */
static void
run(struct httpd *h, struct upload *u)
{
	struct httpd_req *req = &u->req;

	req->worker = 1;
	pthread_mutex_lock(&h->serial);
	req->locked = 1;
	h->fn(req, h->arg);
	if (req->locked)
		pthread_mutex_unlock(&h->serial);
	req->locked = 0;
	if (!u->deferred && !u->answered)
		answer(req, 0, NULL);
	finish(u);
}

static void *
worker(void *arg)
{
	struct httpd *h = arg;
	struct upload *u;

	pthread_mutex_lock(&h->qlock);
	for (;;) {
		while (!h->qhead && !h->stopping)
			pthread_cond_wait(&h->qcond, &h->qlock);
		if (!(u = h->qhead))
			break;
		if (!(h->qhead = u->qnext))
			h->qtail = &h->qhead;
		pthread_mutex_unlock(&h->qlock);
		run(h, u);
		pthread_mutex_lock(&h->qlock);
	}
	pthread_mutex_unlock(&h->qlock);
	return NULL;
}

void
httpd_unlock(struct httpd_req *req)
{
	if (!req->locked)
		return;
	req->locked = 0;
	pthread_mutex_unlock(&req->server->serial);
}

void
httpd_relock(struct httpd_req *req)
{
	if (!req->worker || req->locked)
		return;
	pthread_mutex_lock(&req->server->serial);
	req->locked = 1;
}

/* The workers finish what is queued, then stop. */
static void
stop_workers(struct httpd *h)
{
	pthread_mutex_lock(&h->qlock);
	h->stopping = 1;
	pthread_cond_broadcast(&h->qcond);
	pthread_mutex_unlock(&h->qlock);
	for (unsigned i = 0; i < h->nworkers; i++)
		pthread_join(h->workers[i], NULL);
	h->nworkers = 0;
}

/* Free h once its workers and daemon are stopped. */
static void
release(struct httpd *h)
{
	pthread_cond_destroy(&h->qcond);
	pthread_mutex_destroy(&h->qlock);
	pthread_mutex_destroy(&h->lock);
	pthread_mutex_destroy(&h->serial);
	free(h->workers);
	free(h);
}

/* libmicrohttpd's own messages go nowhere: lib/ does not print. */
static void
quiet(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

struct httpd *
httpd_start(int fd, const struct httpd_opts *o, httpd_handler fn, void *arg,
    char *why, size_t whylen)
{
	struct httpd *h = calloc(1, sizeof *h);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	/*
	 * One event loop (epoll) for every connection, and handlers that
	 * may block in a few workers.  A thread a connection paid a context
	 * switch for every request, which on a small machine cost more than
	 * the work; here a report is read, checked and handed to the spool
	 * writer by the event loop, its connection is suspended, and the
	 * writer resumes all of one entry's connections at once.
	 */
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	unsigned i;

	if (!h) {
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	h->o = *o;
	if (!h->o.max_conns)
		h->o.max_conns = 256;
	if (!h->o.timeout)
		h->o.timeout = 30;
	if (!h->o.head_timeout)
		h->o.head_timeout = 10;
	if (!h->o.max_body)
		h->o.max_body = 1024 * 1024;
	if (!h->o.workers)
		h->o.workers = 8;
	h->fn = fn;
	h->arg = arg;
	pthread_mutex_init(&h->lock, NULL);
	pthread_mutex_init(&h->serial, NULL);
	pthread_mutex_init(&h->qlock, NULL);
	pthread_cond_init(&h->qcond, NULL);
	h->qtail = &h->qhead;
	if (!(h->workers = calloc(h->o.workers, sizeof *h->workers))) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	for (i = 0; i < h->o.workers; i++) {
		int e = pthread_create(&h->workers[i], NULL, worker, h);
		if (e) {
			snprintf(why, whylen, "cannot start a worker: %s",
			    strerror(e));
			goto fail;
		}
		h->nworkers++;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, h,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, h->o.max_conns,
	    MHD_OPTION_CONNECTION_TIMEOUT, h->o.timeout,
	    MHD_OPTION_NOTIFY_CONNECTION, notify_conn, h,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, h,
	    MHD_OPTION_EXTERNAL_LOGGER, quiet, NULL,
	    MHD_OPTION_END);
	if (!h->d) {
		snprintf(why, whylen, "libmicrohttpd would not start on fd %d",
		    fd);
		goto fail;
	}
	return h;
fail:
	stop_workers(h);
	release(h);
	return NULL;
}

void
httpd_stop(struct httpd *h)
{
	MHD_socket fd;

	if (!h)
		return;
	/* New requests, even on open keep-alive connections, are answered
	 * 503 from here on; no new connections are taken. */
	__atomic_store_n(&h->draining, 1, __ATOMIC_SEQ_CST);
	fd = MHD_quiesce_daemon(h->d);
	/* Every answer already promised gets out: whatever makes them (the
	 * spool writers, a worker's call to another service) is running. */
	for (int i = 0; i < 3000 &&
	    __atomic_load_n(&h->inflight, __ATOMIC_SEQ_CST) > 0; i++) {
		struct timespec ts = { 0, 10 * 1000000 };
		nanosleep(&ts, NULL);
	}
	/* Thirty seconds without an answer: libmicrohttpd aborts when
	 * stopped with a connection suspended, so leave it to the exit. */
	if (__atomic_load_n(&h->inflight, __ATOMIC_SEQ_CST) > 0)
		return;
	stop_workers(h);
	MHD_stop_daemon(h->d);
	/* Only now: with internal threads libmicrohttpd may still use it. */
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	release(h);
}
