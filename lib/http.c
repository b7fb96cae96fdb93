/* http: a libcurl client with retries, requests in flight, a dry run. */
#include "http.h"
#include "clock.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dlfcn.h>
#include <unistd.h>
#include <curl/curl.h>

#include "log.h"
#include "version.h"

/* Response headers kept per answer: enough for any API, bounded for all. */
#define MAX_RESP_HEADERS 200
/* Retry-After is believed up to a day; beyond, it is a broken server. */
#define MAX_RETRY_AFTER_S 86400L
/* Longest sleep of one poll, so that a due retry is never late by more. */
#define MAX_POLL_MS 1000

/* A name and a value the module owns (query, form and header lists). */
struct kv {
	char *key;
	char *value;
};

struct kvlist {
	struct kv *v;
	size_t n;
};

struct http_client {
	char *base;		/* without its trailing slashes */
	CURLM *multi;		/* its connection cache is the reuse */
	char *auth;		/* "Bearer …" or "Basic …", or NULL */
	struct kvlist headers;
	long connect_ms, total_ms;
	size_t max_body;
	int max_attempts;
	long max_wait_ms, base_ms, cap_ms;
	int concurrency;
	int dry_run;
	int64_t (*now)(void *arg);
	void (*sleep)(void *arg, long ms);
	void *clock_arg;
	uint64_t rng;
};

enum body_kind { BODY_NONE, BODY_JSON, BODY_FORM, BODY_RAW };

enum run_state { ST_READY, ST_RUNNING, ST_WAITING, ST_DONE };

struct http_request {
	char *method;		/* NULL: GET, or POST with a body */
	char *path;
	struct kvlist query, form, headers;
	enum body_kind kind;
	char *body;		/* as sent: JSON text, encoded form, raw */
	size_t body_len;
	char *content_type;
	int max_attempts;	/* 0: the client's */
	int err;		/* a builder failed: the run fails with why */
	const char *why;

	/* One run. */
	enum run_state state;
	CURL *easy;
	struct curl_slist *slist;
	char *url;
	int64_t due;		/* when a waiting retry may start */
	size_t cap;		/* the client's max_body, for callbacks */
	size_t body_alloc;
	int oom;		/* a callback ran out of memory */
	char curlerr[CURL_ERROR_SIZE];
	char errbuf[CURL_ERROR_SIZE + 64];
	struct http_response resp;
};

static int curl_users;

/*
 * libcurl and the libraries it stands on (TLS, Kerberos, LDAP, SSH...)
 * cost a process ~8 ms to load, paid at every start by the stages that
 * only sometimes talk to a service (inc-embed runs locally by default).
 * So it is loaded with the first client, and called through this table.
 */
#define CURL_CALLS(X) \
	X(CURLcode, global_init, (long)) \
	X(void, global_cleanup, (void)) \
	X(CURL *, easy_init, (void)) \
	X(CURLcode, easy_setopt, (CURL *, CURLoption, ...)) \
	X(CURLcode, easy_getinfo, (CURL *, CURLINFO, ...)) \
	X(void, easy_cleanup, (CURL *)) \
	X(const char *, easy_strerror, (CURLcode)) \
	X(struct curl_slist *, slist_append, (struct curl_slist *, \
	    const char *)) \
	X(void, slist_free_all, (struct curl_slist *)) \
	X(time_t, getdate, (const char *, const time_t *)) \
	X(CURLM *, multi_init, (void)) \
	X(CURLMcode, multi_setopt, (CURLM *, CURLMoption, ...)) \
	X(CURLMcode, multi_add_handle, (CURLM *, CURL *)) \
	X(CURLMcode, multi_remove_handle, (CURLM *, CURL *)) \
	X(CURLMcode, multi_perform, (CURLM *, int *)) \
	X(CURLMcode, multi_poll, (CURLM *, struct curl_waitfd *, unsigned int, \
	    int, int *)) \
	X(CURLMsg *, multi_info_read, (CURLM *, int *)) \
	X(CURLMcode, multi_cleanup, (CURLM *)) \
	X(const char *, multi_strerror, (CURLMcode))

static struct {
#define FIELD(ret, name, args) ret (*name) args;
	CURL_CALLS(FIELD)
#undef FIELD
} cu;

/* Load libcurl once; 0, or -1 with errno ENOSYS when it is missing. */
static int
curl_load(void)
{
	static int state;	/* 0 not tried, 1 loaded, -1 failed */
	void *h;

	if (state == 0) {
		state = -1;
		if (!(h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)))
			goto out;
#define LOAD(ret, name, args) \
		if (!(*(void **)&cu.name = dlsym(h, "curl_" #name))) \
			goto out;
		CURL_CALLS(LOAD)
#undef LOAD
		state = 1;
	}
out:
	if (state < 0)
		errno = ENOSYS;
	return state > 0 ? 0 : -1;
}

/* Growing strings that remember a failed allocation till the end. */

struct buf {
	char *p;
	size_t len, alloc;
	int oom;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->alloc) {
		size_t a = b->alloc ? b->alloc : 64;
		char *p;

		while (a < b->len + n + 1)
			a *= 2;
		p = realloc(b->p, a);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->alloc = a;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Take the string out of b; NULL (and b freed) when memory ran out. */
static char *
buf_take(struct buf *b)
{
	char *p = b->p;

	if (b->oom) {
		free(p);
		p = NULL;
	} else if (!p) {
		p = strdup("");
	}
	memset(b, 0, sizeof *b);
	return p;
}

/*
 * Percent-encode everything but RFC 3986's unreserved characters.  Space
 * becomes %20, not '+': form decoders read both, and a query string then
 * means the same to servers that do not decode '+'.
 */
static void
buf_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char e[3];

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~') {
			buf_add(b, s, 1);
			continue;
		}
		e[0] = '%';
		e[1] = hex[ch >> 4];
		e[2] = hex[ch & 15];
		buf_add(b, e, 3);
	}
}

static void
base64(struct buf *b, const unsigned char *s, size_t n)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		char o[4];

		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		o[0] = tab[v >> 18 & 63];
		o[1] = tab[v >> 12 & 63];
		o[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		o[3] = i + 2 < n ? tab[v & 63] : '=';
		buf_add(b, o, 4);
	}
}

/* Name/value lists. */

static int
kv_add(struct kvlist *l, const char *key, const char *value)
{
	struct kv *v = realloc(l->v, (l->n + 1) * sizeof *v);

	if (!v)
		return -ENOMEM;
	l->v = v;
	v[l->n].key = strdup(key);
	v[l->n].value = strdup(value);
	if (!v[l->n].key || !v[l->n].value) {
		free(v[l->n].key);
		free(v[l->n].value);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

static void
kv_free(struct kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static const char *
kv_get(const struct kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i].key, key) == 0)
			return l->v[i].value;
	return NULL;
}

/* RFC 9110 §5.1: a field name is a token; no value may hold CR or LF. */
static int
header_ok(const char *name, const char *value)
{
	if (!name || !*name || !value)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isgraph((unsigned char)*p) || strchr("()<>@,;:\\\"/[]?={}",
		    *p))
			return 0;
	return strpbrk(value, "\r\n") == NULL;
}

static int
is_http_url(const char *s)
{
	return s && ((strncasecmp(s, "http://", 7) == 0 && s[7]) ||
	    (strncasecmp(s, "https://", 8) == 0 && s[8]));
}

/* The clock. */

static int64_t
real_now(void *arg)
{
	(void)arg;
	return clock_ms();
}

static void
real_sleep(void *arg, long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

	(void)arg;
	/* A signal cuts it short: the loop finds the retry not due yet and
	   sleeps again, unless the caller stopped. */
	nanosleep(&ts, NULL);
}

/* xorshift64*: jitter needs spread, not secrecy, and no global state. */
static double
next_jitter(struct http_client *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return (double)((c->rng * 0x2545F4914F6CDD1DULL) >> 11) * 0x1.0p-53;
}

/* The client. */

static void
clear_auth(struct http_client *c)
{
	if (c->auth) {
		/* Leave no credential in freed memory. */
		memset(c->auth, 0, strlen(c->auth));
		free(c->auth);
		c->auth = NULL;
	}
}

struct http_client *
http_client_new(const char *base_url)
{
	struct http_client *c;
	struct timespec ts;

	if (base_url && !is_http_url(base_url)) {
		errno = EINVAL;
		return NULL;
	}
	if (curl_load() < 0)
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	if (curl_users == 0 && cu.global_init(CURL_GLOBAL_DEFAULT) != 0) {
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	curl_users++;
	c->multi = cu.multi_init();
	if (base_url) {
		c->base = strdup(base_url);
		if (c->base) {
			size_t n = strlen(c->base);

			while (n > 0 && c->base[n - 1] == '/')
				c->base[--n] = '\0';
		}
	}
	if (!c->multi || (base_url && !c->base)) {
		http_client_free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->connect_ms = HTTP_CONNECT_TIMEOUT_MS;
	c->total_ms = HTTP_TIMEOUT_MS;
	c->max_body = HTTP_MAX_BODY;
	c->max_attempts = HTTP_MAX_ATTEMPTS;
	c->max_wait_ms = HTTP_MAX_WAIT_MS;
	c->base_ms = HTTP_BACKOFF_BASE_MS;
	c->cap_ms = HTTP_BACKOFF_CAP_MS;
	http_client_set_concurrency(c, HTTP_CONCURRENCY);
	http_client_set_clock(c, NULL, NULL, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	c->rng = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^
	    ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)c;
	if (c->rng == 0)
		c->rng = 0x9E3779B97F4A7C15ULL;
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (!c)
		return;
	if (c->multi)
		cu.multi_cleanup(c->multi);
	free(c->base);
	clear_auth(c);
	kv_free(&c->headers);
	free(c);
	if (--curl_users == 0)
		cu.global_cleanup();
}

void
http_client_set_timeouts(struct http_client *c, long connect_ms,
    long total_ms)
{
	c->connect_ms = connect_ms > 0 ? connect_ms : HTTP_CONNECT_TIMEOUT_MS;
	c->total_ms = total_ms > 0 ? total_ms : HTTP_TIMEOUT_MS;
}

void
http_client_set_retry(struct http_client *c, int max_attempts,
    long max_wait_ms, long base_ms, long cap_ms)
{
	c->max_attempts = max_attempts > 0 ? max_attempts : 1;
	c->max_wait_ms = max_wait_ms > 0 ? max_wait_ms : 0;
	c->base_ms = base_ms > 0 ? base_ms : 1;
	c->cap_ms = cap_ms >= c->base_ms ? cap_ms : c->base_ms;
}

void
http_client_set_max_body(struct http_client *c, size_t max)
{
	c->max_body = max;
}

void
http_client_set_concurrency(struct http_client *c, int n)
{
	c->concurrency = n > 0 ? n : 1;
	/* Keep as many idle connections as may run at once, for reuse. */
	cu.multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->concurrency);
}

void
http_client_set_dry_run(struct http_client *c, int on)
{
	c->dry_run = on != 0;
}

static int
set_auth(struct http_client *c, const char *scheme, const char *cred,
    size_t credlen, int encode)
{
	struct buf b = { 0 };
	char *auth;

	buf_puts(&b, scheme);
	buf_puts(&b, " ");
	if (encode)
		base64(&b, (const unsigned char *)cred, credlen);
	else
		buf_add(&b, cred, credlen);
	auth = buf_take(&b);
	if (!auth)
		return -ENOMEM;
	clear_auth(c);
	c->auth = auth;
	return 0;
}

int
http_client_set_bearer(struct http_client *c, const char *token)
{
	if (!token) {
		clear_auth(c);
		return 0;
	}
	if (strpbrk(token, "\r\n"))
		return -EINVAL;
	return set_auth(c, "Bearer", token, strlen(token), 0);
}

int
http_client_set_basic(struct http_client *c, const char *user,
    const char *password)
{
	struct buf b = { 0 };
	char *cred;
	int rc;

	if (!user) {
		clear_auth(c);
		return 0;
	}
	buf_puts(&b, user);
	buf_puts(&b, ":");
	buf_puts(&b, password ? password : "");
	cred = buf_take(&b);
	if (!cred)
		return -ENOMEM;
	rc = set_auth(c, "Basic", cred, strlen(cred), 1);
	memset(cred, 0, strlen(cred));
	free(cred);
	return rc;
}

int
http_client_add_header(struct http_client *c, const char *name,
    const char *value)
{
	if (!header_ok(name, value))
		return -EINVAL;
	return kv_add(&c->headers, name, value);
}

void
http_client_set_clock(struct http_client *c, int64_t (*now)(void *arg),
    void (*sleep)(void *arg, long ms), void *arg)
{
	c->now = now ? now : real_now;
	c->sleep = sleep ? sleep : real_sleep;
	c->clock_arg = arg;
}

/* Building a request. */

static int
stick(struct http_request *req, int err, const char *why)
{
	if (!req->err) {
		req->err = err;
		req->why = why;
	}
	return err;
}

struct http_request *
http_request_new(const char *method, const char *path)
{
	struct http_request *req = calloc(1, sizeof *req);

	if (!req)
		return NULL;
	req->path = strdup(path ? path : "");
	if (method)
		req->method = strdup(method);
	if (!req->path || (method && !req->method)) {
		http_request_free(req);
		return NULL;
	}
	req->resp.retry_after_ms = -1;
	if (method) {
		for (const char *p = method; *p; p++)
			if (!isupper((unsigned char)*p))
				stick(req, -EINVAL, "bad HTTP method");
		if (!*method)
			stick(req, -EINVAL, "bad HTTP method");
	}
	return req;
}

/* Forget the outcome of the last attempt, keeping the retry count. */
static void
attempt_clear(struct http_request *req)
{
	struct http_response *r = &req->resp;

	for (size_t i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	r->headers = NULL;
	r->n_headers = 0;
	free(r->body);
	r->body = NULL;
	r->body_len = 0;
	req->body_alloc = 0;
	json_decref(r->json);
	r->json = NULL;
	r->status = 0;
	r->err = 0;
	r->error = NULL;
	r->truncated = 0;
	r->content_type = NULL;
	req->curlerr[0] = '\0';
	req->oom = 0;
}

static void
response_clear(struct http_request *req)
{
	attempt_clear(req);
	json_decref(req->resp.dry_run);
	req->resp.dry_run = NULL;
	req->resp.attempts = 0;
	req->resp.waited_ms = 0;
	req->resp.retry_after_ms = -1;
}

void
http_request_free(struct http_request *req)
{
	if (!req)
		return;
	response_clear(req);
	free(req->method);
	free(req->path);
	kv_free(&req->query);
	kv_free(&req->form);
	kv_free(&req->headers);
	free(req->body);
	free(req->content_type);
	cu.slist_free_all(req->slist);
	free(req->url);
	free(req);
}

int
http_request_query(struct http_request *req, const char *key,
    const char *value)
{
	if (!key || !value)
		return stick(req, -EINVAL, "query field without key or value");
	if (kv_add(&req->query, key, value) < 0)
		return stick(req, -ENOMEM, "out of memory");
	return 0;
}

/* Replace the body; a request has one kind of body. */
static int
set_body(struct http_request *req, enum body_kind kind, const char *type,
    char *body, size_t len)
{
	char *ct = strdup(type);

	if (!ct) {
		free(body);
		return stick(req, -ENOMEM, "out of memory");
	}
	free(req->body);
	free(req->content_type);
	req->kind = kind;
	req->body = body;
	req->body_len = len;
	req->content_type = ct;
	return 0;
}

int
http_request_json(struct http_request *req, const json_t *body)
{
	char *s;

	if (!body)
		return stick(req, -EINVAL, "no JSON body");
	if (req->kind != BODY_NONE && req->kind != BODY_JSON)
		return stick(req, -EINVAL, "request has two kinds of body");
	s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s)
		return stick(req, -ENOMEM, "cannot encode the JSON body");
	/* Slack warns about a JSON body without a charset (protocols.md). */
	return set_body(req, BODY_JSON, "application/json; charset=utf-8", s,
	    strlen(s));
}

int
http_request_form(struct http_request *req, const char *key,
    const char *value)
{
	struct buf b = { 0 };
	char *s;

	if (!key || !value)
		return stick(req, -EINVAL, "form field without key or value");
	if (req->kind != BODY_NONE && req->kind != BODY_FORM)
		return stick(req, -EINVAL, "request has two kinds of body");
	if (kv_add(&req->form, key, value) < 0)
		return stick(req, -ENOMEM, "out of memory");
	for (size_t i = 0; i < req->form.n; i++) {
		if (i)
			buf_puts(&b, "&");
		buf_escape(&b, req->form.v[i].key);
		buf_puts(&b, "=");
		buf_escape(&b, req->form.v[i].value);
	}
	s = buf_take(&b);
	if (!s)
		return stick(req, -ENOMEM, "out of memory");
	return set_body(req, BODY_FORM, "application/x-www-form-urlencoded",
	    s, strlen(s));
}

int
http_request_body(struct http_request *req, const char *content_type,
    const void *data, size_t len)
{
	char *s;

	if (!content_type || strpbrk(content_type, "\r\n") ||
	    (!data && len > 0))
		return stick(req, -EINVAL, "bad body or content type");
	if (req->kind != BODY_NONE && req->kind != BODY_RAW)
		return stick(req, -EINVAL, "request has two kinds of body");
	s = malloc(len + 1);
	if (!s)
		return stick(req, -ENOMEM, "out of memory");
	if (len)
		memcpy(s, data, len);
	s[len] = '\0';
	return set_body(req, BODY_RAW, content_type, s, len);
}

int
http_request_header(struct http_request *req, const char *name,
    const char *value)
{
	if (!header_ok(name, value))
		return stick(req, -EINVAL, "bad header name or value");
	if (kv_add(&req->headers, name, value) < 0)
		return stick(req, -ENOMEM, "out of memory");
	return 0;
}

void
http_request_set_attempts(struct http_request *req, int max_attempts)
{
	req->max_attempts = max_attempts > 0 ? max_attempts : 0;
}

const struct http_response *
http_request_response(const struct http_request *req)
{
	return &req->resp;
}

const char *
http_response_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->n_headers; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

/* What goes on the wire: method, URL, headers. */

static const char *
method_of(const struct http_request *req)
{
	if (req->method)
		return req->method;
	return req->kind == BODY_NONE ? "GET" : "POST";
}

/* BASE/path?query; NULL with *err and *why set when it cannot be made. */
static char *
build_url(const struct http_client *c, const struct http_request *req,
    int *err, const char **why)
{
	struct buf b = { 0 };
	const char *p = req->path;
	char sep;
	char *url;

	if (is_http_url(p)) {
		buf_puts(&b, p);
	} else if (!c->base) {
		*err = -EINVAL;
		*why = "relative path and no base URL";
		return NULL;
	} else {
		buf_puts(&b, c->base);
		if (*p && *p != '?') {
			while (*p == '/')
				p++;
			buf_puts(&b, "/");
		}
		buf_puts(&b, p);
	}
	sep = b.p && strchr(b.p, '?') ? '&' : '?';
	for (size_t i = 0; i < req->query.n; i++) {
		buf_add(&b, &sep, 1);
		buf_escape(&b, req->query.v[i].key);
		buf_puts(&b, "=");
		buf_escape(&b, req->query.v[i].value);
		sep = '&';
	}
	url = buf_take(&b);
	if (!url) {
		*err = -ENOMEM;
		*why = "out of memory";
	}
	return url;
}

/*
 * The headers a request goes out with, by precedence: the request's own,
 * then the client's, then those this module adds, each name once.  The
 * strings are borrowed.  *n entries; NULL on ENOMEM.
 */
static struct kv *
effective_headers(const struct http_client *c,
    const struct http_request *req, size_t *n)
{
	static char ua[] = "inc/" INC_VERSION;
	struct kv *v = calloc(req->headers.n + c->headers.n + 3, sizeof *v);
	size_t k = 0;
	struct kvlist seen;

	if (!v)
		return NULL;
	for (size_t i = 0; i < req->headers.n; i++)
		v[k++] = req->headers.v[i];
	for (size_t i = 0; i < c->headers.n; i++) {
		seen = (struct kvlist){ v, k };
		if (!kv_get(&seen, c->headers.v[i].key))
			v[k++] = c->headers.v[i];
	}
	seen = (struct kvlist){ v, k };
	if (c->auth && !kv_get(&seen, "Authorization"))
		v[k++] = (struct kv){ "Authorization", c->auth };
	seen = (struct kvlist){ v, k };
	if (req->content_type && !kv_get(&seen, "Content-Type"))
		v[k++] = (struct kv){ "Content-Type", req->content_type };
	seen = (struct kvlist){ v, k };
	if (!kv_get(&seen, "User-Agent"))
		v[k++] = (struct kv){ "User-Agent", ua };
	*n = k;
	return v;
}

static struct curl_slist *
build_slist(const struct http_client *c, const struct http_request *req)
{
	size_t n;
	struct kv *v = effective_headers(c, req, &n);
	/* No "Expect: 100-continue" round trip before large bodies. */
	struct curl_slist *l = cu.slist_append(NULL, "Expect:");

	for (size_t i = 0; v && l && i < n; i++) {
		struct buf b = { 0 };
		struct curl_slist *t;
		char *line;

		buf_puts(&b, v[i].key);
		/* curl drops "Name:"; "Name;" sends it empty. */
		buf_puts(&b, *v[i].value ? ": " : ";");
		buf_puts(&b, v[i].value);
		line = buf_take(&b);
		t = line ? cu.slist_append(l, line) : NULL;
		if (line) {
			memset(line, 0, strlen(line));
			free(line);
		}
		if (!t) {
			cu.slist_free_all(l);
			l = NULL;
		}
	}
	if (!v) {
		cu.slist_free_all(l);
		l = NULL;
	}
	free(v);
	return l;
}

/* Describing a request for a dry run. */

/* Headers whose whole value is a credential. */
static int
secret_header(const char *name)
{
	static const char *words[] = { "authorization", "cookie", "token",
	    "secret", "key", "password", "signature", "session", NULL };

	for (int i = 0; words[i]; i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

/*
 * Userinfo in a URL ("user:password@host") becomes "*@host": a base URL
 * from the configuration may carry credentials (curl would send them),
 * and log_redact() does not know this form.
 */
static void
redact_userinfo(char *s)
{
	for (char *p = s; (p = strstr(p, "://")) != NULL;) {
		char *h = p + 3;
		size_t n = strcspn(h, "/?#@ \t\"'");

		if (h[n] == '@' && n > 0) {
			h[0] = '*';
			memmove(h + 1, h + n, strlen(h + n) + 1);
			p = h + 1;
		} else {
			p = h;
		}
	}
}

/* s with log_redact() applied, as a JSON string; NULL if not UTF-8. */
static json_t *
redacted_string(const char *s)
{
	char *t = strdup(s);
	json_t *j;

	if (!t)
		return NULL;
	redact_userinfo(t);
	log_redact(t);
	j = json_string(t);
	free(t);
	return j;
}

/* Keep "Bearer" or "Basic" so the reader sees which scheme; mask the rest. */
static json_t *
masked_value(const char *v)
{
	const char *sp = strchr(v, ' ');
	json_t *j;
	char *t;

	if (!sp || sp == v)
		return json_string("*");
	if (asprintf(&t, "%.*s *", (int)(sp - v), v) < 0)
		return NULL;
	j = json_string(t);
	free(t);
	return j;
}

static void
redact_tree(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		char *t = strdup(json_string_value(j));

		if (t) {
			log_redact(t);
			json_string_set(j, t);
			free(t);
		}
	} else if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			redact_tree(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			redact_tree(v);
	}
}

static json_t *
describe_form(const struct http_request *req)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < req->form.n; i++) {
		const char *key = req->form.v[i].key;
		json_t *v = redacted_string(req->form.v[i].value);
		json_t *old = json_object_get(o, key);

		if (!v)
			v = json_string("(not UTF-8)");
		/* A repeated field becomes an array of its values. */
		if (!old) {
			json_object_set_new(o, key, v);
		} else if (json_is_array(old)) {
			json_array_append_new(old, v);
		} else {
			json_t *a = json_array();

			json_array_append(a, old);
			json_array_append_new(a, v);
			json_object_set_new(o, key, a);
		}
	}
	return o;
}

json_t *
http_request_describe(const struct http_client *c,
    const struct http_request *req)
{
	json_t *o = json_object(), *h = json_object();
	const char *why = NULL;
	int err = 0;
	char *url = build_url(c, req, &err, &why);
	size_t n = 0;
	struct kv *v = effective_headers(c, req, &n);

	if (!o || !h || !v) {
		json_decref(o);
		json_decref(h);
		free(url);
		free(v);
		return NULL;
	}
	json_object_set_new(o, "method", json_string(method_of(req)));
	json_object_set_new(o, "url", url ? redacted_string(url) :
	    json_string(req->path));
	for (size_t i = 0; i < n; i++)
		json_object_set_new(h, v[i].key, secret_header(v[i].key) ?
		    masked_value(v[i].value) : redacted_string(v[i].value));
	json_object_set_new(o, "headers", h);
	switch (req->kind) {
	case BODY_NONE:
		break;
	case BODY_JSON: {
		json_t *b = json_loadb(req->body, req->body_len,
		    JSON_DECODE_ANY, NULL);

		redact_tree(b);
		json_object_set_new(o, "body", b);
		break;
	}
	case BODY_FORM:
		json_object_set_new(o, "form", describe_form(req));
		break;
	case BODY_RAW: {
		json_t *b = NULL;

		if (!memchr(req->body, '\0', req->body_len))
			b = redacted_string(req->body);
		if (b)
			json_object_set_new(o, "body", b);
		json_object_set_new(o, "body_bytes",
		    json_integer((json_int_t)req->body_len));
		break;
	}
	}
	if (req->err || !url)
		json_object_set_new(o, "error", json_string(req->err ?
		    req->why : why));
	free(url);
	free(v);
	return o;
}

/* Retry arithmetic. */

int
http_retry_after_ms(const char *v, time_t now, long *ms)
{
	const char *p;
	time_t t;

	if (!v)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	for (p = v; isdigit((unsigned char)*p); p++)
		;
	if (p > v) {
		long s = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p)
			return -1;
		for (p = v; isdigit((unsigned char)*p) &&
		    s <= MAX_RETRY_AFTER_S; p++)
			s = s * 10 + (*p - '0');
		*ms = (s > MAX_RETRY_AFTER_S ? MAX_RETRY_AFTER_S : s) * 1000;
		return 0;
	}
	/* RFC 9110 §5.6.7: IMF-fixdate, and the obsolete forms, which
	   curl_getdate() reads too. */
	if (curl_load() < 0)
		return -1;
	t = cu.getdate(v, NULL);
	if (t == -1)
		return -1;
	if (t <= now)
		*ms = 0;
	else if (t - now > MAX_RETRY_AFTER_S)
		*ms = MAX_RETRY_AFTER_S * 1000;
	else
		*ms = (long)(t - now) * 1000;
	return 0;
}

long
http_backoff_ms(long base_ms, long cap_ms, int attempt, double jitter)
{
	long d = base_ms > 0 ? base_ms : 1;

	for (int i = 1; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms > 0 ? cap_ms : 1;
	if (!(jitter >= 0))
		jitter = 0;
	if (jitter >= 1)
		jitter = 0.999999;
	return d / 2 + (long)(jitter * (double)(d - d / 2));
}

/* Running. */

static void
fail(struct http_request *req, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(struct http_request *req, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->errbuf, sizeof req->errbuf, fmt, ap);
	va_end(ap);
	/* curl's text may quote a URL or a header: scrub it like a log. */
	redact_userinfo(req->errbuf);
	log_redact(req->errbuf);
	req->resp.err = err;
	req->resp.error = req->errbuf;
	req->state = ST_DONE;
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_request *req = arg;
	struct http_response *r = &req->resp;
	size_t n = size * nmemb;
	size_t room = req->cap - r->body_len;
	size_t take = n < room ? n : room;

	if (r->body_len + take + 1 > req->body_alloc) {
		size_t a = req->body_alloc ? req->body_alloc : 1024;
		char *p;

		while (a < r->body_len + take + 1)
			a *= 2;
		if (a > req->cap + 1)
			a = req->cap + 1;
		p = realloc(r->body, a);
		if (!p) {
			req->oom = 1;
			return 0;
		}
		r->body = p;
		req->body_alloc = a;
	}
	memcpy(r->body + r->body_len, data, take);
	r->body_len += take;
	r->body[r->body_len] = '\0';
	if (take < n) {
		/* Stop reading: the cap bounds memory and time alike. */
		r->truncated = 1;
		return 0;
	}
	return n;
}

static char *
trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct http_request *req = arg;
	struct http_response *r = &req->resp;
	size_t n = size * nmemb;
	const char *colon = memchr(data, ':', n);
	struct http_header *h;

	/* A status line starts an answer: 1xx ones come before the last. */
	if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		attempt_clear(req);
		return n;
	}
	if (!colon || colon == data || r->n_headers >= MAX_RESP_HEADERS)
		return n;
	h = realloc(r->headers, (r->n_headers + 1) * sizeof *h);
	if (!h) {
		req->oom = 1;
		return 0;
	}
	r->headers = h;
	h[r->n_headers].name = trimmed(data, (size_t)(colon - data));
	h[r->n_headers].value = trimmed(colon + 1,
	    n - (size_t)(colon - data) - 1);
	if (!h[r->n_headers].name || !h[r->n_headers].value) {
		free(h[r->n_headers].name);
		free(h[r->n_headers].value);
		req->oom = 1;
		return 0;
	}
	r->n_headers++;
	return n;
}

/* Start one attempt; 0, or -1 when req failed at once. */
static int
start(struct http_client *c, struct http_request *req)
{
	CURL *e = cu.easy_init();
	const char *m = method_of(req);

	attempt_clear(req);
	if (!e) {
		fail(req, -ENOMEM, "out of memory");
		return -1;
	}
	req->cap = c->max_body;
	cu.easy_setopt(e, CURLOPT_URL, req->url);
	cu.easy_setopt(e, CURLOPT_PRIVATE, (void *)req);
	cu.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(e, CURLOPT_ERRORBUFFER, req->curlerr);
	cu.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	cu.easy_setopt(e, CURLOPT_TIMEOUT_MS, c->total_ms);
	cu.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	cu.easy_setopt(e, CURLOPT_WRITEDATA, (void *)req);
	cu.easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	cu.easy_setopt(e, CURLOPT_HEADERDATA, (void *)req);
	cu.easy_setopt(e, CURLOPT_HTTPHEADER, req->slist);
	cu.easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
#if LIBCURL_VERSION_NUM >= 0x075500
	cu.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	cu.easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	if (req->kind != BODY_NONE) {
		cu.easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
		cu.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)req->body_len);
		if (strcmp(m, "POST") != 0)
			cu.easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	} else if (strcmp(m, "GET") == 0) {
		cu.easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(m, "HEAD") == 0) {
		cu.easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(m, "POST") == 0) {
		cu.easy_setopt(e, CURLOPT_POSTFIELDS, "");
		cu.easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)0);
	} else {
		cu.easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
	}
	if (cu.multi_add_handle(c->multi, e) != CURLM_OK) {
		cu.easy_cleanup(e);
		fail(req, -ENOMEM, "cannot start the transfer");
		return -1;
	}
	req->easy = e;
	req->state = ST_RUNNING;
	req->resp.attempts++;
	return 0;
}

/* Failures worth another try: the server or the path may come back. */
static int
transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static int
errno_of(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return -EINVAL;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static int
is_json_type(const char *ct)
{
	size_t n;

	if (!ct)
		return 0;
	n = strcspn(ct, "; \t");
	if (n == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return 1;
	/* RFC 6839 structured syntax: application/problem+json and the like */
	return n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0;
}

/*
 * Schedule another attempt when the policy allows: attempts left, and the
 * delay (Retry-After, else backoff) within what is left of the wait budget.
 */
static int
retry(struct http_client *c, struct http_request *req, long retry_after)
{
	struct http_response *r = &req->resp;
	int max = req->max_attempts ? req->max_attempts : c->max_attempts;
	long d;

	if (r->attempts >= max)
		return 0;
	d = retry_after >= 0 ? retry_after :
	    http_backoff_ms(c->base_ms, c->cap_ms, r->attempts, next_jitter(c));
	if (d > c->max_wait_ms - r->waited_ms)
		return 0;
	r->waited_ms += d;
	req->due = c->now(c->clock_arg) + d;
	req->state = ST_WAITING;
	return 1;
}

/* An attempt ended: retry it, or settle the response. */
static void
finished(struct http_client *c, struct http_request *req, CURLcode rc)
{
	struct http_response *r = &req->resp;
	const char *ra;
	long status = 0;

	cu.easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	cu.multi_remove_handle(c->multi, req->easy);
	cu.easy_cleanup(req->easy);
	req->easy = NULL;
	r->status = status;
	r->content_type = http_response_header(r, "Content-Type");
	ra = http_response_header(r, "Retry-After");
	if (!ra || http_retry_after_ms(ra, time(NULL), &r->retry_after_ms) < 0)
		r->retry_after_ms = -1;
	if (req->oom) {
		fail(req, -ENOMEM, "out of memory");
		return;
	}
	if (r->truncated) {
		fail(req, -EFBIG, "response body over %zu bytes", req->cap);
		return;
	}
	if (rc != CURLE_OK) {
		if (transient(rc) && retry(c, req, -1))
			return;
		fail(req, errno_of(rc), "%s", req->curlerr[0] ? req->curlerr :
		    cu.easy_strerror(rc));
		return;
	}
	if ((status == 429 || (status >= 500 && status <= 599)) &&
	    retry(c, req, r->retry_after_ms))
		return;
	if (r->body_len > 0 && is_json_type(r->content_type))
		r->json = json_loadb(r->body, r->body_len, JSON_DECODE_ANY,
		    NULL);
	if (!r->body) {
		r->body = strdup("");
		if (!r->body) {
			fail(req, -ENOMEM, "out of memory");
			return;
		}
	}
	req->state = ST_DONE;
}

/* Make ready for a run: everything a request needs before its first try. */
static void
prepare(struct http_client *c, struct http_request *req)
{
	const char *why = NULL;
	int err = 0;

	response_clear(req);
	free(req->url);
	req->url = NULL;
	cu.slist_free_all(req->slist);
	req->slist = NULL;
	req->state = ST_READY;
	if (req->err) {
		fail(req, req->err, "%s", req->why);
		return;
	}
	if (c->dry_run) {
		req->resp.dry_run = http_request_describe(c, req);
		if (!req->resp.dry_run)
			fail(req, -ENOMEM, "out of memory");
		req->state = ST_DONE;
		return;
	}
	req->url = build_url(c, req, &err, &why);
	if (!req->url) {
		fail(req, err, "%s", why);
		return;
	}
	req->slist = build_slist(c, req);
	if (!req->slist)
		fail(req, -ENOMEM, "out of memory");
}

static void
abandon(struct http_client *c, struct http_request **reqs, size_t n,
    const char *why)
{
	for (size_t i = 0; i < n; i++) {
		struct http_request *req = reqs[i];

		if (req->state == ST_DONE)
			continue;
		if (req->easy) {
			cu.multi_remove_handle(c->multi, req->easy);
			cu.easy_cleanup(req->easy);
			req->easy = NULL;
		}
		fail(req, -EIO, "curl: %s", why);
	}
}

int
http_run_all(struct http_client *c, struct http_request **reqs, size_t n)
{
	size_t left = 0, next = 0;
	int running = 0;

	for (size_t i = 0; i < n; i++) {
		prepare(c, reqs[i]);
		if (reqs[i]->state != ST_DONE)
			left++;
	}
	while (left > 0) {
		int64_t now = c->now(c->clock_arg), wake = -1;
		CURLMsg *msg;
		CURLMcode mc;
		int still, moved = 0;

		/* Retries that are due go first: they have waited already. */
		for (size_t i = 0; i < n; i++) {
			struct http_request *req = reqs[i];

			if (req->state != ST_WAITING)
				continue;
			if (req->due > now) {
				if (wake < 0 || req->due < wake)
					wake = req->due;
			} else if (running < c->concurrency) {
				if (start(c, req) == 0)
					running++;
				else
					left--;
			}
		}
		for (; next < n && running < c->concurrency; next++) {
			if (reqs[next]->state != ST_READY)
				continue;
			if (start(c, reqs[next]) == 0)
				running++;
			else
				left--;
		}
		if (left == 0)
			break;
		if (running == 0) {
			/* Cannot happen unless left counts wrong. */
			if (wake < 0) {
				abandon(c, reqs, n, "request lost");
				return -EIO;
			}
			/* Only retries waiting: nothing to poll, so sleep. */
			if (wake > now)
				c->sleep(c->clock_arg, (long)(wake - now));
			continue;
		}
		mc = cu.multi_perform(c->multi, &still);
		if (mc != CURLM_OK) {
			abandon(c, reqs, n, cu.multi_strerror(mc));
			return -EIO;
		}
		while ((msg = cu.multi_info_read(c->multi, &still))) {
			struct http_request *req;
			char *priv = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			cu.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &priv);
			req = (struct http_request *)(void *)priv;
			/* msg dies with the handle: read it first. */
			finished(c, req, msg->data.result);
			running--;
			moved = 1;
			if (req->state == ST_DONE)
				left--;
		}
		if (moved)
			continue;
		now = c->now(c->clock_arg);
		mc = cu.multi_poll(c->multi, NULL, 0, wake < 0 ? MAX_POLL_MS :
		    (int)(wake - now < 0 ? 0 : wake - now > MAX_POLL_MS ?
		    MAX_POLL_MS : wake - now), NULL);
		if (mc != CURLM_OK) {
			abandon(c, reqs, n, cu.multi_strerror(mc));
			return -EIO;
		}
	}
	return 0;
}

int
http_run(struct http_client *c, struct http_request *req)
{
	int rc = http_run_all(c, &req, 1);

	return rc < 0 ? rc : req->resp.err;
}
