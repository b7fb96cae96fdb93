/*
 * httpd: the request plumbing of inc-httpd over libmicrohttpd, and the one
 * helper every answer goes through (STYLE §5 and §7, after systemd-journal-
 * remote's microhttpd-util.h).
 *
 * The module takes its listening socket from systemd (LISTEN_FDS) or binds
 * one, runs libmicrohttpd with HTTP/1.1 keep-alive, a connection cap, an
 * idle timeout and a deadline for the request head (so a client sending
 * its headers a byte at a time cannot hold a connection), reads each body
 * up to a limit (413 past it) and only then hands a whole request to the
 * caller's handler.
 *
 * One event loop serves every connection, and calls the handler first.
 * There the handler must not block or touch what other threads share
 * without a lock: it either answers at once (a quick route), or hands the
 * request to a worker (httpd_to_worker), or defers its answer to another
 * thread that will make it later (httpd_defer; the connection waits off
 * the event loop meanwhile).  Workers run the handler again, one at a
 * time under a lock, so they may share a store handle or an embedding
 * model; one may let go of that lock around a slow step that touches
 * nothing shared (httpd_unlock, httpd_relock), such as a request to
 * another service.  What a route means is the caller's business; this
 * module never exits and never prints.
 */
#ifndef INC_HTTPD_H
#define INC_HTTPD_H

#include <stddef.h>
#include <jansson.h>

struct httpd;
struct MHD_Connection;

/* A whole request, as the handler sees it; valid during the call only. */
struct httpd_req {
	struct MHD_Connection *conn;
	const char *method;	/* "GET", "POST", ... */
	const char *path;	/* without the query string */
	const char *body;	/* NUL-terminated, len bytes ("" for none) */
	size_t len;
	int status;		/* set by httpd_respond() */
	struct httpd *server;	/* for httpd_unlock() */
	int worker;		/* run by a worker, not the event loop */
	int locked;		/* the handler lock is held */
	void *priv;		/* this module's */
};

/*
 * From the event loop: run this request's handler again in a worker,
 * where it may block.  Call before doing anything else, and return 0.
 * In a worker it does nothing.
 */
void httpd_to_worker(struct httpd_req *req);

/*
 * The answer will come later, from any thread: req stays valid until
 * httpd_respond*() is called on it (exactly once, as always); the
 * handler returns meanwhile (its return value is then not looked at).
 */
void httpd_defer(struct httpd_req *req);

/*
 * In a worker: let other handlers run while this one does something slow
 * that touches nothing they share; relock before touching shared state
 * again.  A handler may also return unlocked, when what is left to do
 * (the answer) touches nothing shared.  In the event loop, where no lock
 * is held, both do nothing.
 */
void httpd_unlock(struct httpd_req *req);
void httpd_relock(struct httpd_req *req);

/*
 * The handler: answer with httpd_respond() (exactly once) and return 0,
 * or -1 to have the connection closed without an answer (out of memory);
 * or call httpd_to_worker() or httpd_defer() and return.
 */
typedef int (*httpd_handler)(struct httpd_req *req, void *arg);

struct httpd_opts {
	unsigned max_conns;	/* connection cap; 0: 256 */
	unsigned timeout;	/* idle seconds before a connection is
				   dropped; 0: 30 */
	unsigned head_timeout;	/* seconds a client has to send its whole
				   request head; 0: 10 */
	size_t max_body;	/* bytes; 0: 1 MiB */
	unsigned workers;	/* threads for handlers that block; 0: 8 */
	/* When not NULL: called from the event loop as each answer is
	 * queued, with the seconds since the request was whole. */
	void (*done)(const struct httpd_req *req, double secs, void *arg);
};

/*
 * The listening socket: systemd's when LISTEN_PID is this process and
 * LISTEN_FDS is set (exactly one fd, a listening stream socket; the
 * variables are then unset so children do not see them), else a new
 * socket bound to listen ("ADDR:PORT", "[V6ADDR]:PORT"; port 0 picks a
 * free one).  *fd gets the socket and where (when not NULL) the address
 * actually bound, "127.0.0.1:43210".  0, or -1 with a reason.
 */
int httpd_socket(const char *listen, int *fd, char *where, size_t wherelen,
    char *why, size_t whylen);

/*
 * Start serving on fd (which the server then owns).  NULL with a reason
 * when libmicrohttpd refuses.
 */
struct httpd *httpd_start(int fd, const struct httpd_opts *o,
    httpd_handler fn, void *arg, char *why, size_t whylen);

/*
 * Cut off connections that have not finished their request head within
 * head_timeout: call every second or so from another thread (the main
 * loop).  Returns how many were cut.
 */
int httpd_reap(struct httpd *h);

/*
 * Stop taking connections, answer new requests on open ones 503, let
 * every answer already promised out (whatever makes the deferred ones
 * must still be running), close every connection and free h.  After 30
 * seconds with an answer still owed it returns without stopping the
 * server, which the process's exit then does.
 */
void httpd_stop(struct httpd *h);

/*
 * The one way to answer: status and a JSON body (a reference is taken
 * over; NULL answers with no body), as application/json with extra
 * headers from hdrs (NULL, or "Name", "value" pairs ending in NULL).
 * Safe from any thread for a deferred request.  0, or -1 when out of
 * memory (the connection is then closed without an answer).
 */
int httpd_respond(struct httpd_req *req, unsigned status, json_t *body,
    const char *const *hdrs);

/* An error answer: {"error": "TEXT"}, printf-style. */
int httpd_respondf(struct httpd_req *req, unsigned status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* The same with other headers (Allow for a 405, WWW-Authenticate...). */
int httpd_respond_error(struct httpd_req *req, unsigned status,
    const char *const *hdrs, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * An answer that is not JSON (the Prometheus text format): the text is
 * copied.
 */
int httpd_respond_text(struct httpd_req *req, unsigned status,
    const char *type, const char *text, size_t len);

/* A request header or query argument, or NULL. */
const char *httpd_header(const struct httpd_req *req, const char *name);
const char *httpd_arg(const struct httpd_req *req, const char *name);

/*
 * Whether a Content-Type names JSON: application/json or any
 * application/...+json, parameters ignored.  NULL is not JSON.
 */
int httpd_is_json_type(const char *ctype);

#endif
