/*
 * http: the client the integration stages talk to their APIs with (Slack,
 * Jira, Twilio, Groq, embeddings), over libcurl.
 *
 * A client holds what every request to one service shares: the base URL
 * from the configuration (SLACK_API_URL, JIRA_URL, ...), the credentials,
 * default headers, timeouts, the retry policy and one curl multi handle, so
 * that connections are reused from one request to the next.  A request is
 * built with the http_request_* calls (method, path, query, a JSON, form
 * or raw body, headers) and run alone with http_run() or many at once with
 * http_run_all(), which keeps up to a set number in flight and fills in
 * each request's answer; results are read by request, so they come back in
 * input order whatever order the server answered in.
 *
 * Retries: 429, 5xx and transport failures (connection refused or reset,
 * timeouts, DNS) are tried again after a delay: the server's Retry-After
 * when it sent one (seconds or an HTTP-date, RFC 9110 §10.2.3), otherwise
 * exponential backoff with jitter, as Atlassian and Slack ask of clients
 * (protocols.md §1.2, §2.4).  Both the number of attempts and the total
 * wait per request are capped; a delay (Retry-After included) beyond what
 * is left of the wait budget ends the retries at once, rather than
 * calling early and being refused again.  Other
 * answers, 4xx included, come back at once.  A request waiting for its
 * retry holds no slot: the others keep running.  Redirects are not
 * followed, so credentials never travel to another host.
 *
 * Dry run: a client in dry-run mode sends nothing; each request's answer
 * carries instead a JSON description of what would have been sent (method,
 * URL, headers, body), with credentials masked, for the stage to print on
 * stderr (DESIGN §3).  Error strings and descriptions never hold a
 * credential: Authorization and similar headers are masked whole, and the
 * rest goes through log_redact().
 *
 * What this module leaves to its callers: what a status means for the API
 * at hand (Slack answers 200 with "ok": false), pagination, and turning an
 * error into a record's errors[] entry.
 *
 * Threads: a client and its requests belong to one thread at a time; two
 * clients may run in two threads.  Create the first client before starting
 * threads (it initialises libcurl).
 */
#ifndef INC_HTTP_H
#define INC_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

/* Defaults of a new client; each has a setter below. */
#define HTTP_CONNECT_TIMEOUT_MS	10000
#define HTTP_TIMEOUT_MS		30000	/* one attempt, connect included */
#define HTTP_MAX_BODY		(8L * 1024 * 1024)
#define HTTP_MAX_ATTEMPTS	4
#define HTTP_MAX_WAIT_MS	60000	/* total sleep between attempts */
#define HTTP_BACKOFF_BASE_MS	500
#define HTTP_BACKOFF_CAP_MS	30000
#define HTTP_CONCURRENCY	4

struct http_client;
struct http_request;

/* One response header; name and value are trimmed, NUL-terminated. */
struct http_header {
	char *name;
	char *value;
};

/*
 * The outcome of a request, owned by the request and valid until it is run
 * again or freed.  Read-only for callers.
 */
struct http_response {
	long status;		/* HTTP status of the last answer; 0 when
				   none came, or in a dry run */
	int err;		/* 0, or negative errno when error is set */
	const char *error;	/* why the request failed (curl's text, a
				   bad request, the body cap), or NULL */
	char *body;		/* NUL-terminated (it may hold NULs too) */
	size_t body_len;
	int truncated;		/* the body ran over the client's cap:
				   body holds its start, error says so */
	json_t *json;		/* the parsed body when Content-Type is
				   JSON and it parsed, else NULL;
				   borrowed */
	const char *content_type; /* the Content-Type header, or NULL */
	long retry_after_ms;	/* the last Retry-After seen, or -1 */
	struct http_header *headers; /* of the last answer, in order */
	size_t n_headers;
	int attempts;		/* tries made; 0 for a dry run */
	long waited_ms;		/* time slept between them */
	json_t *dry_run;	/* dry-run mode: the request that would have
				   been sent; borrowed */
};

/* Making and configuring a client. */

/*
 * A client for the service at base_url ("https://slack.com/api"), or
 * NULL with errno: EINVAL when base_url is not an http or https URL,
 * ENOSYS when libcurl cannot be loaded (it is loaded on first use), ENOMEM.
 * base_url may be NULL when every request gives a full URL.
 */
struct http_client *http_client_new(const char *base_url);
void http_client_free(struct http_client *c);

/* Timeouts in milliseconds; total bounds one attempt, not its retries. */
void http_client_set_timeouts(struct http_client *c, long connect_ms,
    long total_ms);

/*
 * Retry policy.  max_attempts counts the first try (1 = never retry);
 * max_wait_ms bounds the total sleep per request; backoff without a
 * Retry-After starts near base_ms and doubles up to cap_ms.
 */
void http_client_set_retry(struct http_client *c, int max_attempts,
    long max_wait_ms, long base_ms, long cap_ms);

/* Largest response body kept; a longer answer fails with EFBIG. */
void http_client_set_max_body(struct http_client *c, size_t max);

/* Requests http_run_all() keeps in flight at once (at least 1). */
void http_client_set_concurrency(struct http_client *c, int n);

/* Dry run: describe each request instead of sending it. */
void http_client_set_dry_run(struct http_client *c, int on);

/*
 * Credentials sent with every request, copied: "Authorization: Bearer
 * TOKEN", or Basic with user:password (Jira, Twilio).  The last call wins;
 * a NULL token or user clears.  Returns 0 or -ENOMEM.
 */
int http_client_set_bearer(struct http_client *c, const char *token);
int http_client_set_basic(struct http_client *c, const char *user,
    const char *password);

/*
 * A header sent with every request (Accept, a User-Agent of one's own);
 * a request's own header of the same name replaces it.  Returns 0,
 * -EINVAL for a name or value that would break the header block (CR, LF,
 * ':' in the name), or -ENOMEM.
 */
int http_client_add_header(struct http_client *c, const char *name,
    const char *value);

/*
 * Replace the clock and the sleep between attempts, for tests: now(arg)
 * returns milliseconds on any steady scale, sleep(arg, ms) waits or only
 * pretends to by moving now() on.  The client sleeps only when nothing is
 * in flight; while transfers run it polls them until the next retry is
 * due.  NULL restores the real clock.
 */
void http_client_set_clock(struct http_client *c, int64_t (*now)(void *arg),
    void (*sleep)(void *arg, long ms), void *arg);

/* Building a request. */

/*
 * A request for path under the client's base URL: "chat.postMessage" and
 * "/chat.postMessage" both give BASE/chat.postMessage; a path that is a
 * full http(s) URL is used as it is (Jira's "self" links).  method NULL
 * means GET, or POST when a body is set.  NULL on ENOMEM.
 */
struct http_request *http_request_new(const char *method, const char *path);
void http_request_free(struct http_request *req);

/*
 * The builders below return 0 or a negative errno (-ENOMEM, -EINVAL).  A
 * failure also sticks to the request: running it then fails at once with
 * the reason, so a caller may build without checking each step.
 */

/* Append key=value to the URL's query string, percent-encoded. */
int http_request_query(struct http_request *req, const char *key,
    const char *value);

/* A JSON body (Content-Type application/json); body is dumped now. */
int http_request_json(struct http_request *req, const json_t *body);

/*
 * Add one field to an application/x-www-form-urlencoded body (Slack's
 * form methods, Twilio); key and value are percent-encoded when sent.
 */
int http_request_form(struct http_request *req, const char *key,
    const char *value);

/* A body of any type, copied (audio for speech, say). */
int http_request_body(struct http_request *req, const char *content_type,
    const void *data, size_t len);

/* A header for this request only; the same rules as the client's. */
int http_request_header(struct http_request *req, const char *name,
    const char *value);

/* Attempts for this request, overriding the client's (1 for a POST that
 * must not be repeated). */
void http_request_set_attempts(struct http_request *req, int max_attempts);

/* Running requests. */

/*
 * Run one request, retries included.  Returns 0 when an HTTP answer came
 * back (any status: the caller judges it) or in dry-run mode, else the
 * negative errno of the response, whose error says why.
 */
int http_run(struct http_client *c, struct http_request *req);

/*
 * Run n requests, up to the client's concurrency at once, and fill in each
 * one's response.  Returns 0 when the loop itself ran (each request's own
 * outcome is in its response), or a negative errno when curl's multi
 * interface failed; requests not finished then carry that error.
 */
int http_run_all(struct http_client *c, struct http_request **reqs,
    size_t n);

/* The response of req (empty until it ran). */
const struct http_response *http_request_response(
    const struct http_request *req);

/* The value of the first response header called name (any case), or NULL. */
const char *http_response_header(const struct http_response *r,
    const char *name);

/*
 * The request as JSON: {method, url, headers, body} where body is the JSON
 * value sent, or "form" the fields, or a raw body as a string when it is
 * UTF-8; credentials masked.  New reference, or NULL on ENOMEM.
 */
json_t *http_request_describe(const struct http_client *c,
    const struct http_request *req);

/* Retry arithmetic, exposed so that it can be tested alone. */

/*
 * Parse a Retry-After value: delta-seconds, or an HTTP-date compared with
 * now (a date in the past means 0).  Returns 0 and sets *ms, or -1 when v
 * is neither.
 */
int http_retry_after_ms(const char *v, time_t now, long *ms);

/*
 * The backoff before retry number attempt (1 after the first failure)
 * without a Retry-After: d = base_ms * 2^(attempt-1) capped at cap_ms, then
 * "equal jitter": d/2 + jitter * d/2, with jitter in [0, 1).  Keeping half
 * of d spreads clients out without ever retrying at once.
 */
long http_backoff_ms(long base_ms, long cap_ms, int attempt, double jitter);

#endif
