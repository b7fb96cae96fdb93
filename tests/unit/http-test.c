/*
 * http-test: lib/http against tests/stub/httpstub.py, a local stand-in
 * server that records what it was sent.  Retry delays run on a fake clock,
 * so that a Retry-After of seconds costs no time; two cases measure real
 * time where concurrency is the point.
 */
#include "http.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PY "/usr/bin/python3"

static pid_t stub_pid = -1;
static int stub_stdin = -1;
static char base[64];

static void
stub_stop(void)
{
	if (stub_pid <= 0)
		return;
	/* End of input is the stub's cue; SIGTERM in case it is stuck. */
	close(stub_stdin);
	kill(stub_pid, SIGTERM);
	waitpid(stub_pid, NULL, 0);
	stub_pid = -1;
}

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("FAIL: %s:%d: ", __func__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		fflush(stdout);						\
		stub_stop();						\
		exit(1);						\
	}								\
} while (0)

static void
skip(const char *why)
{
	printf("%s\n", why);
	exit(77);
}

static void
stub_start(void)
{
	const char *top = getenv("TOP");
	char script[4096], line[64];
	int in[2], out[2];
	FILE *f;

	if (!top || !*top)
		top = ".";
	snprintf(script, sizeof script, "%s/tests/stub/httpstub.py", top);
	if (access(PY, X_OK) != 0)
		skip(PY " is not installed: no stand-in server");
	if (access(script, R_OK) != 0)
		skip("tests/stub/httpstub.py not found: set TOP");
	if (pipe(in) < 0 || pipe(out) < 0)
		CHECK(0, "pipe: %s", strerror(errno));
	stub_pid = fork();
	CHECK(stub_pid >= 0, "fork: %s", strerror(errno));
	if (stub_pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(PY, "python3", script, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	stub_stdin = in[1];
	f = fdopen(out[0], "r");
	CHECK(f && fgets(line, sizeof line, f), "stub printed no port");
	CHECK(atoi(line) > 0, "stub printed '%s', not a port", line);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", atoi(line));
	fclose(f);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A fake clock: sleeping only moves it on, and each sleep is recorded. */
struct fake {
	int64_t now;
	long slept[16];
	int n;
};

static int64_t
fake_now(void *arg)
{
	return ((struct fake *)arg)->now;
}

static void
fake_sleep(void *arg, long ms)
{
	struct fake *f = arg;

	f->now += ms;
	if (f->n < 16)
		f->slept[f->n] = ms;
	f->n++;
}

/* A client for the stub on a fake clock: 3 attempts, 10 s of waiting. */
static struct http_client *
client(struct fake *f)
{
	struct http_client *c = http_client_new(base);

	CHECK(c, "http_client_new(%s): %s", base, strerror(errno));
	http_client_set_retry(c, 3, 10000, 10, 100);
	if (f) {
		memset(f, 0, sizeof *f);
		f->now = 1000000;
		http_client_set_clock(c, fake_now, fake_sleep, f);
	}
	return c;
}

/* Run one request; the response stays valid until req is freed. */
static const struct http_response *
run(struct http_client *c, struct http_request *req, int want_rc)
{
	int rc = http_run(c, req);
	const struct http_response *r = http_request_response(req);

	CHECK(rc == want_rc, "run: rc %d, want %d (error: %s)", rc, want_rc,
	    r->error ? r->error : "none");
	return r;
}

static void
stub_reset(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req = http_request_new("POST", "/_reset");

	CHECK(run(c, req, 0)->status == 200, "stub reset");
	http_request_free(req);
	http_client_free(c);
}

/* What the stub received since the last reset; new reference. */
static json_t *
stub_seen(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req = http_request_new("GET", "/_requests");
	const struct http_response *r = run(c, req, 0);
	json_t *seen = json_incref(r->json);

	CHECK(json_is_array(seen), "stub /_requests: %s", r->body);
	http_request_free(req);
	http_client_free(c);
	return seen;
}

static const char *
seen_str(json_t *seen, size_t i, const char *key)
{
	const char *s = json_string_value(json_object_get(json_array_get(seen,
	    i), key));

	return s ? s : "";
}

static const char *
seen_header(json_t *seen, size_t i, const char *name)
{
	json_t *h = json_object_get(json_array_get(seen, i), "headers");
	const char *k;
	json_t *v;

	json_object_foreach(h, k, v)
		if (strcasecmp(k, name) == 0)
			return json_string_value(v);
	return NULL;
}

static void
test_get_json(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req = http_request_new(NULL, "json");
	const struct http_response *r = run(c, req, 0);

	CHECK(r->status == 200, "status %ld", r->status);
	CHECK(r->attempts == 1, "attempts %d", r->attempts);
	CHECK(r->error == NULL, "error %s", r->error);
	CHECK(r->json && strcmp(json_string_value(json_object_get(r->json,
	    "hello")), "world") == 0, "json %s", r->body);
	CHECK(json_integer_value(json_object_get(r->json, "n")) == 42, "n");
	CHECK(r->content_type && strncmp(r->content_type, "application/json",
	    16) == 0, "content type %s", r->content_type);
	CHECK(http_response_header(r, "content-LENGTH") &&
	    atoi(http_response_header(r, "Content-Length")) ==
	    (int)r->body_len, "any header by name, any case");
	CHECK(http_response_header(r, "X-Nothing") == NULL, "absent header");
	http_request_free(req);

	/* Not JSON: the body, and no json. */
	req = http_request_new("GET", "/text");
	r = run(c, req, 0);
	CHECK(r->status == 200 && r->json == NULL, "text is not parsed");
	CHECK(r->body_len == 5 && strcmp(r->body, "hello") == 0, "body %s",
	    r->body);
	http_request_free(req);
	http_client_free(c);
}

static void
test_post_json(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req = http_request_new("POST", "/echo");
	json_t *body = json_pack("{s:s, s:i, s:s, s:[i,i]}", "title",
	    "db-01 disk full", "n", 3, "u", "caf\xc3\xa9 \"q\"", "a", 1, 2);
	const struct http_response *r;
	json_t *echoed, *seen;

	stub_reset();
	CHECK(http_request_json(req, body) == 0, "json body");
	r = run(c, req, 0);
	CHECK(r->status == 200, "status %ld", r->status);
	CHECK(strcmp(json_string_value(json_object_get(r->json,
	    "content_type")), "application/json; charset=utf-8") == 0,
	    "content type sent: %s", r->body);
	echoed = json_loads(json_string_value(json_object_get(r->json,
	    "body")), 0, NULL);
	CHECK(json_equal(echoed, body), "echoed body differs: %s", r->body);
	json_decref(echoed);

	seen = stub_seen();
	CHECK(json_array_size(seen) == 1, "stub saw %zu requests",
	    json_array_size(seen));
	CHECK(strcmp(seen_str(seen, 0, "method"), "POST") == 0 &&
	    strcmp(seen_str(seen, 0, "path"), "/echo") == 0, "method, path");
	CHECK(seen_header(seen, 0, "User-Agent") &&
	    strncmp(seen_header(seen, 0, "User-Agent"), "inc/", 4) == 0,
	    "user agent");
	json_decref(seen);
	json_decref(body);
	http_request_free(req);
	http_client_free(c);
}

static void
test_form_and_query(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req = http_request_new(NULL, "/echo?x=1");
	const struct http_response *r;
	json_t *seen;

	stub_reset();
	http_request_form(req, "text", "a b&c=d+e/\xc3\xa9%~");
	http_request_form(req, "channel", "#ops");
	http_request_query(req, "q", "x y&z");
	r = run(c, req, 0);
	CHECK(r->status == 200, "status %ld", r->status);
	seen = stub_seen();
	CHECK(strcmp(seen_str(seen, 0, "method"), "POST") == 0,
	    "a body makes a POST: %s", seen_str(seen, 0, "method"));
	CHECK(strcmp(seen_str(seen, 0, "body"),
	    "text=a%20b%26c%3Dd%2Be%2F%C3%A9%25~&channel=%23ops") == 0,
	    "form body %s", seen_str(seen, 0, "body"));
	CHECK(strcmp(seen_header(seen, 0, "Content-Type"),
	    "application/x-www-form-urlencoded") == 0, "form content type");
	CHECK(strcmp(seen_str(seen, 0, "query"), "x=1&q=x%20y%26z") == 0,
	    "query %s", seen_str(seen, 0, "query"));
	json_decref(seen);
	http_request_free(req);
	http_client_free(c);
}

static void
test_auth_and_headers(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req;
	json_t *seen;

	stub_reset();
	CHECK(http_client_set_bearer(c, "xoxb-test-123") == 0, "bearer");
	CHECK(http_client_add_header(c, "Accept", "application/json") == 0,
	    "client header");
	CHECK(http_client_add_header(c, "X-Team", "db") == 0, "client header");
	req = http_request_new("GET", "/json");
	CHECK(http_request_header(req, "X-Trace", "abc") == 0, "header");
	CHECK(http_request_header(req, "X-Team", "web") == 0, "header");
	run(c, req, 0);
	http_request_free(req);

	CHECK(http_client_set_basic(c, "user@example.com", "p:ss w0rd") == 0,
	    "basic");
	req = http_request_new("GET", "/json");
	run(c, req, 0);
	http_request_free(req);

	seen = stub_seen();
	CHECK(json_array_size(seen) == 2, "stub saw %zu",
	    json_array_size(seen));
	CHECK(strcmp(seen_header(seen, 0, "Authorization"),
	    "Bearer xoxb-test-123") == 0, "bearer sent: %s",
	    seen_header(seen, 0, "Authorization"));
	CHECK(strcmp(seen_header(seen, 0, "Accept"), "application/json") == 0,
	    "client header sent");
	CHECK(strcmp(seen_header(seen, 0, "X-Trace"), "abc") == 0,
	    "request header sent");
	CHECK(strcmp(seen_header(seen, 0, "X-Team"), "web") == 0,
	    "the request's header beats the client's");
	CHECK(strcmp(seen_header(seen, 1, "Authorization"),
	    "Basic dXNlckBleGFtcGxlLmNvbTpwOnNzIHcwcmQ=") == 0,
	    "basic sent: %s", seen_header(seen, 1, "Authorization"));
	/* One client, one connection: the second request reused it. */
	CHECK(json_integer_value(json_object_get(json_array_get(seen, 0),
	    "port")) == json_integer_value(json_object_get(
	    json_array_get(seen, 1), "port")), "connection not reused");
	json_decref(seen);

	/* A header that would split the header block is refused unsent. */
	stub_reset();
	req = http_request_new("GET", "/json");
	CHECK(http_request_header(req, "X-Bad", "a\r\nInjected: 1") ==
	    -EINVAL, "CRLF in a header value");
	CHECK(run(c, req, -EINVAL)->error != NULL, "error for a bad header");
	http_request_free(req);
	CHECK(http_client_add_header(c, "Bad Name", "x") == -EINVAL,
	    "space in a header name");
	seen = stub_seen();
	CHECK(json_array_size(seen) == 0, "a bad request went out");
	json_decref(seen);
	http_client_free(c);
}

static void
test_retry_after(void)
{
	struct fake f;
	struct http_client *c = client(&f);
	struct http_request *req;
	const struct http_response *r;
	json_t *seen;

	stub_reset();
	req = http_request_new("GET", "/status/429?times=1&retry_after=2");
	r = run(c, req, 0);
	CHECK(r->status == 200, "status after the retry %ld", r->status);
	CHECK(r->attempts == 2, "attempts %d", r->attempts);
	CHECK(f.n == 1 && f.slept[0] == 2000, "slept %d times, first %ld ms",
	    f.n, f.slept[0]);
	CHECK(r->waited_ms == 2000, "waited %ld", r->waited_ms);
	http_request_free(req);
	seen = stub_seen();
	CHECK(json_array_size(seen) == 2, "stub saw %zu",
	    json_array_size(seen));
	json_decref(seen);

	/* The HTTP-date form, 3 s ahead at one-second resolution. */
	req = http_request_new("GET", "/status/503?times=1&retry_date=3");
	f.n = 0;
	r = run(c, req, 0);
	CHECK(r->status == 200 && r->attempts == 2, "date form: %ld, %d",
	    r->status, r->attempts);
	CHECK(f.n == 1 && f.slept[0] >= 1000 && f.slept[0] <= 4000,
	    "date form slept %ld", f.slept[0]);
	http_request_free(req);

	/* A Retry-After beyond the wait budget ends the retries. */
	http_client_set_retry(c, 5, 1500, 10, 100);
	req = http_request_new("GET", "/status/429?retry_after=1");
	f.n = 0;
	r = run(c, req, 0);
	CHECK(r->status == 429 && r->attempts == 2 && r->waited_ms == 1000,
	    "budget: status %ld, attempts %d, waited %ld", r->status,
	    r->attempts, r->waited_ms);
	CHECK(r->retry_after_ms == 1000, "retry_after_ms %ld",
	    r->retry_after_ms);
	http_request_free(req);
	http_client_free(c);
}

static void
test_5xx_cap_and_4xx(void)
{
	struct fake f;
	struct http_client *c = client(&f);
	struct http_request *req;
	const struct http_response *r;
	json_t *seen;

	stub_reset();
	req = http_request_new("GET", "/status/503");
	r = run(c, req, 0);
	CHECK(r->status == 503, "status %ld", r->status);
	CHECK(r->attempts == 3, "attempts %d, want the cap 3", r->attempts);
	CHECK(r->json && json_is_false(json_object_get(r->json, "ok")),
	    "the last answer's body is kept: %s", r->body);
	/* Backoff 10 ms doubling: [5, 10), then [10, 20). */
	CHECK(f.n == 2 && f.slept[0] >= 5 && f.slept[0] < 10 &&
	    f.slept[1] >= 10 && f.slept[1] < 20, "backoff %ld, %ld (%d)",
	    f.slept[0], f.slept[1], f.n);
	http_request_free(req);
	seen = stub_seen();
	CHECK(json_array_size(seen) == 3, "stub saw %zu",
	    json_array_size(seen));
	json_decref(seen);

	stub_reset();
	f.n = 0;
	req = http_request_new("POST", "/status/400");
	http_request_form(req, "a", "b");
	r = run(c, req, 0);
	CHECK(r->status == 400 && r->attempts == 1 && f.n == 0,
	    "400: status %ld, attempts %d", r->status, r->attempts);
	http_request_free(req);

	/* A request may forbid repeats (a POST that must not run twice). */
	req = http_request_new("POST", "/status/500");
	http_request_set_attempts(req, 1);
	r = run(c, req, 0);
	CHECK(r->status == 500 && r->attempts == 1, "attempts %d",
	    r->attempts);
	http_request_free(req);
	seen = stub_seen();
	CHECK(json_array_size(seen) == 2, "stub saw %zu",
	    json_array_size(seen));
	json_decref(seen);
	http_client_free(c);
}

/* A port nobody listens on: bound for a moment, then closed. */
static int
closed_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0, "bind");
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void
test_refused_and_timeout(void)
{
	struct fake f;
	char url[64];
	struct http_client *c;
	struct http_request *req;
	const struct http_response *r;
	int64_t t0;

	snprintf(url, sizeof url, "http://127.0.0.1:%d/api", closed_port());
	c = http_client_new(url);
	CHECK(c, "client");
	memset(&f, 0, sizeof f);
	http_client_set_clock(c, fake_now, fake_sleep, &f);
	http_client_set_retry(c, 3, 10000, 10, 100);
	http_client_set_bearer(c, "xoxb-secret-token-1234");
	req = http_request_new("GET", "x");
	r = run(c, req, -ECONNREFUSED);
	CHECK(r->status == 0 && r->attempts == 3 && f.n == 2,
	    "refused: status %ld, attempts %d, sleeps %d", r->status,
	    r->attempts, f.n);
	CHECK(r->error && *r->error, "refused: no error text");
	CHECK(!strstr(r->error, "secret-token"), "credential in error %s",
	    r->error);
	http_request_free(req);
	http_client_free(c);

	/* A total timeout cuts a slow answer short. */
	c = client(&f);
	http_client_set_retry(c, 1, 0, 10, 100);
	http_client_set_timeouts(c, 1000, 300);
	req = http_request_new("GET", "/json?delay=1500");
	t0 = mono_ms();
	r = run(c, req, -ETIMEDOUT);
	CHECK(mono_ms() - t0 < 1200, "timeout took %lld ms",
	    (long long)(mono_ms() - t0));
	CHECK(r->error && r->attempts == 1, "timeout: %s", r->error);
	http_request_free(req);
	http_client_free(c);
}

static void
test_body_cap(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req;
	const struct http_response *r;

	http_client_set_max_body(c, 1000);
	req = http_request_new("GET", "/big?n=5000");
	r = run(c, req, -EFBIG);
	CHECK(r->truncated && r->body_len == 1000 && r->status == 200,
	    "cap: truncated %d, len %zu, status %ld", r->truncated,
	    r->body_len, r->status);
	CHECK(r->error && strstr(r->error, "1000"), "cap error %s", r->error);
	CHECK(r->attempts == 1, "a capped body is not retried");
	http_request_free(req);

	req = http_request_new("GET", "/big?n=1000");
	r = run(c, req, 0);
	CHECK(!r->truncated && r->body_len == 1000, "exactly the cap: %zu",
	    r->body_len);
	http_request_free(req);
	http_client_free(c);
}

static void
test_in_flight(void)
{
	enum { N = 8 };
	struct http_client *c = client(NULL);
	struct http_request *reqs[N];
	json_t *seen;
	int64_t t0, ms;
	char path[64];

	/* The first answers last: results still come in input order. */
	http_client_set_concurrency(c, N);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof path, "/echo?i=%d&delay=%d", i,
		    (N - i) * 60);
		reqs[i] = http_request_new("GET", path);
	}
	t0 = mono_ms();
	CHECK(http_run_all(c, reqs, N) == 0, "run_all");
	ms = mono_ms() - t0;
	for (int i = 0; i < N; i++) {
		const struct http_response *r = http_request_response(reqs[i]);
		char want[32];

		snprintf(want, sizeof want, "i=%d&", i);
		CHECK(r->status == 200 && strncmp(json_string_value(
		    json_object_get(r->json, "query")), want, strlen(want)) ==
		    0, "slot %d holds %s", i, r->body);
		http_request_free(reqs[i]);
	}
	/* Serial would take 60+120+...+480 = 2160 ms. */
	CHECK(ms < 1500, "8 requests in flight took %lld ms", (long long)ms);

	/*
	 * One slot: the 429 waits out its Retry-After of 1 s without holding
	 * the slot, and the others go first.
	 */
	stub_reset();
	http_client_set_concurrency(c, 1);
	reqs[0] = http_request_new("GET", "/status/429?times=1&retry_after=1");
	for (int i = 1; i < 4; i++) {
		snprintf(path, sizeof path, "/echo?i=%d&delay=50", i);
		reqs[i] = http_request_new("GET", path);
	}
	t0 = mono_ms();
	CHECK(http_run_all(c, reqs, 4) == 0, "run_all");
	ms = mono_ms() - t0;
	CHECK(http_request_response(reqs[0])->status == 200 &&
	    http_request_response(reqs[0])->attempts == 2, "429 retried");
	CHECK(ms >= 950 && ms < 2500, "Retry-After 1 s took %lld ms",
	    (long long)ms);
	seen = stub_seen();
	CHECK(json_array_size(seen) == 5, "stub saw %zu",
	    json_array_size(seen));
	CHECK(strcmp(seen_str(seen, 0, "path"), "/status/429") == 0 &&
	    strcmp(seen_str(seen, 1, "path"), "/echo") == 0 &&
	    strcmp(seen_str(seen, 3, "path"), "/echo") == 0 &&
	    strcmp(seen_str(seen, 4, "path"), "/status/429") == 0,
	    "a waiting retry blocked the others");
	json_decref(seen);
	for (int i = 0; i < 4; i++)
		http_request_free(reqs[i]);
	http_client_free(c);
}

static void
test_dry_run(void)
{
	struct http_client *c = client(NULL);
	struct http_request *req;
	const struct http_response *r;
	json_t *body = json_pack("{s:s, s:s}", "channel", "C1", "text",
	    "call +15551234567");
	json_t *d, *seen;
	char *dump, want[128];

	stub_reset();
	http_client_set_dry_run(c, 1);
	http_client_set_bearer(c, "xoxb-1234567890-abcdefghij");
	http_client_add_header(c, "X-Api-Key", "k-987654321");
	req = http_request_new("POST", "chat.postMessage");
	http_request_json(req, body);
	r = run(c, req, 0);
	CHECK(r->status == 0 && r->attempts == 0 && r->dry_run,
	    "dry run: status %ld, attempts %d", r->status, r->attempts);
	d = r->dry_run;
	dump = json_dumps(d, JSON_COMPACT);
	snprintf(want, sizeof want, "%s/chat.postMessage", base);
	CHECK(strcmp(json_string_value(json_object_get(d, "method")),
	    "POST") == 0, "method in %s", dump);
	CHECK(strcmp(json_string_value(json_object_get(d, "url")), want) == 0,
	    "url in %s", dump);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(d,
	    "headers"), "Authorization")), "Bearer *") == 0,
	    "authorization in %s", dump);
	CHECK(!strstr(dump, "1234567890") && !strstr(dump, "987654321") &&
	    !strstr(dump, "5551234567"), "a secret in %s", dump);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(d,
	    "body"), "channel")), "C1") == 0, "body in %s", dump);
	free(dump);
	http_request_free(req);

	/* Basic auth and a form body. */
	http_client_set_basic(c, "AC123", "twilio-auth-token");
	req = http_request_new("POST", "/2010-04-01/Accounts/AC123/Calls.json");
	http_request_form(req, "From", "+15550001111");
	http_request_form(req, "Url", "https://inc.example/twiml?a=1");
	r = run(c, req, 0);
	dump = json_dumps(r->dry_run, JSON_COMPACT);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(
	    r->dry_run, "headers"), "Authorization")), "Basic *") == 0,
	    "basic in %s", dump);
	CHECK(strcmp(json_string_value(json_object_get(json_object_get(
	    r->dry_run, "form"), "Url")), "https://inc.example/twiml?a=1") ==
	    0, "form in %s", dump);
	CHECK(!strstr(dump, "twilio-auth-token") && !strstr(dump, "QUMxMjM"),
	    "credential in %s", dump);
	free(dump);
	http_request_free(req);

	seen = stub_seen();
	CHECK(json_array_size(seen) == 0, "a dry run sent %zu requests",
	    json_array_size(seen));
	json_decref(seen);
	json_decref(body);
	http_client_free(c);
}

static void
check_url(struct http_client *c, const char *path, const char *want)
{
	struct http_request *req = http_request_new(NULL, path);
	json_t *d = http_request_describe(c, req);
	const char *got = json_string_value(json_object_get(d, "url"));

	CHECK(got && strcmp(got, want) == 0, "'%s' joins to %s, want %s",
	    path, got, want);
	json_decref(d);
	http_request_free(req);
}

static void
test_urls(void)
{
	struct http_client *c = http_client_new("https://h.example/api/");

	CHECK(c, "client");
	check_url(c, "chat.postMessage",
	    "https://h.example/api/chat.postMessage");
	check_url(c, "/chat.postMessage",
	    "https://h.example/api/chat.postMessage");
	check_url(c, "", "https://h.example/api");
	check_url(c, "?a=1", "https://h.example/api?a=1");
	check_url(c, "https://other.example/rest/1",
	    "https://other.example/rest/1");
	http_client_free(c);

	errno = 0;
	CHECK(http_client_new("ftp://h.example") == NULL && errno == EINVAL,
	    "ftp base URL accepted");
	CHECK(http_client_new("h.example/api") == NULL && errno == EINVAL,
	    "base URL without scheme accepted");
	c = http_client_new(NULL);
	CHECK(c, "client without base");
	check_url(c, "https://jira:t0ken@j.example/rest?a=1",
	    "https://*@j.example/rest?a=1");
	check_url(c, "http://x.example/y", "http://x.example/y");
	{
		struct http_request *req = http_request_new(NULL, "y");

		CHECK(run(c, req, -EINVAL)->error, "relative path, no base");
		http_request_free(req);
	}
	http_client_free(c);
}

static void
test_delays(void)
{
	long ms = -1;
	time_t t = 1445412480;	/* Wed, 21 Oct 2015 07:28:00 GMT */

	CHECK(http_retry_after_ms("120", 0, &ms) == 0 && ms == 120000,
	    "seconds: %ld", ms);
	CHECK(http_retry_after_ms(" 0 ", 0, &ms) == 0 && ms == 0, "zero");
	CHECK(http_retry_after_ms("abc", 0, &ms) == -1, "junk");
	CHECK(http_retry_after_ms("-1", 0, &ms) == -1, "negative");
	CHECK(http_retry_after_ms("1.5", 0, &ms) == -1, "fraction");
	CHECK(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", t - 5,
	    &ms) == 0 && ms == 5000, "date: %ld", ms);
	CHECK(http_retry_after_ms("Wednesday, 21-Oct-15 07:28:00 GMT", t - 7,
	    &ms) == 0 && ms == 7000, "RFC 850 date: %ld", ms);
	CHECK(http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", t + 60,
	    &ms) == 0 && ms == 0, "past date: %ld", ms);
	CHECK(http_retry_after_ms("99999999999999999999", 0, &ms) == 0 &&
	    ms == 86400000L, "huge: %ld", ms);

	CHECK(http_backoff_ms(100, 1000, 1, 0) == 50, "first, no jitter");
	ms = http_backoff_ms(100, 1000, 1, 0.999);
	CHECK(ms >= 50 && ms < 100, "first, jitter: %ld", ms);
	ms = http_backoff_ms(100, 1000, 4, 0.5);
	CHECK(ms >= 400 && ms < 800, "fourth: %ld", ms);
	ms = http_backoff_ms(100, 1000, 30, 0.999);
	CHECK(ms >= 500 && ms < 1000, "capped: %ld", ms);
}

int
main(void)
{
	/* The stub is local: a proxy from the environment must not see it. */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	signal(SIGPIPE, SIG_IGN);

	test_delays();
	test_urls();
	stub_start();
	test_get_json();
	test_post_json();
	test_form_and_query();
	test_auth_and_headers();
	test_retry_after();
	test_5xx_cap_and_4xx();
	test_refused_and_timeout();
	test_body_cap();
	test_in_flight();
	test_dry_run();
	stub_stop();
	printf("http-test: all passed\n");
	return 0;
}
