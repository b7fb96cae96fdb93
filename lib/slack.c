#include "slack.h"
#include "strbuf.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>


/* Block Kit's text limits (Slack's reference: header, section). */
#define HEADER_MAX 150
#define TEXT_MAX 3000

void
slack_channel_name(const char *id, char *out, size_t len)
{
	size_t n;

	n = (size_t)snprintf(out, len, "incident-%s", id ? id : "");
	if (n >= len)
		n = len - 1;
	if (n > SLACK_NAME_MAX)
		n = SLACK_NAME_MAX;
	out[n] = '\0';
	for (char *p = out; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (!((*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '-';
	}
}

struct http_client *
slack_client_new(const char *base_url, const char *token, char *err,
    size_t errlen)
{
	struct http_client *c = http_client_new(base_url);

	if (!c) {
		snprintf(err, errlen, errno == ENOSYS ? "slack needs libcurl "
		    "(libcurl4), which is not installed" : errno == EINVAL ?
		    "SLACK_API_URL: not an http(s) URL" : "out of memory");
		return NULL;
	}
	if (http_client_set_bearer(c, token) < 0) {
		snprintf(err, errlen, "SLACK_BOT_TOKEN: not a usable token");
		http_client_free(c);
		return NULL;
	}
	return c;
}

struct http_request *
slack_request(const char *method, const json_t *args)
{
	struct http_request *req = http_request_new("POST", method);
	json_t *empty = NULL;

	if (!req)
		return NULL;
	if (!args)
		args = empty = json_object();
	http_request_json(req, args);
	json_decref(empty);
	return req;
}

struct http_request *
slack_request_form(const char *method, const json_t *args)
{
	struct http_request *req = http_request_new("POST", method);
	const char *k;
	json_t *v;

	if (!req)
		return NULL;
	json_object_foreach((json_t *)args, k, v) {
		char num[32];
		const char *s = json_string_value(v);
		if (json_is_boolean(v))
			s = json_is_true(v) ? "true" : "false";
		else if (json_is_integer(v)) {
			snprintf(num, sizeof num, "%lld",
			    (long long)json_integer_value(v));
			s = num;
		}
		if (s)
			http_request_form(req, k, s);
	}
	return req;
}

int
slack_result(const struct http_response *r, const char *method,
    const char **code, char *why, size_t whylen)
{
	const char *e = NULL;

	if (code)
		*code = NULL;
	if (r->err) {
		snprintf(why, whylen, "slack: %s: %s", method, r->error ?
		    r->error : "failed");
		return -1;
	}
	if (json_is_object(r->json))
		e = json_string_value(json_object_get(r->json, "error"));
	if (code)
		*code = e;
	if (r->status == 200 && json_is_true(json_object_get(r->json, "ok")))
		return 0;
	if (e) {
		const char *needed = json_string_value(json_object_get(r->json,
		    "needed"));
		if (r->status != 200)
			snprintf(why, whylen, "slack: %s: %.100s (HTTP %ld)",
			    method, e, r->status);
		else if (needed)
			snprintf(why, whylen, "slack: %s: %.100s (needs "
			    "%.100s)", method, e, needed);
		else
			snprintf(why, whylen, "slack: %s: %.100s", method, e);
	} else if (r->status != 200) {
		snprintf(why, whylen, "slack: %s: HTTP %ld", method,
		    r->status);
	} else {
		snprintf(why, whylen, "slack: %s: not a Slack answer",
		    method);
	}
	return -1;
}

const json_t *
slack_list_find(const json_t *answer, const char *name, const char **cursor)
{
	const json_t *chans = json_object_get(answer, "channels"), *ch;
	const json_t *found = NULL;
	const char *next;
	size_t i;

	json_array_foreach(chans, i, ch) {
		const char *n = json_string_value(json_object_get(ch, "name"));
		if (n && strcmp(n, name) == 0) {
			found = ch;
			break;
		}
	}
	next = json_string_value(json_object_get(json_object_get(answer,
	    "response_metadata"), "next_cursor"));
	*cursor = next && *next ? next : NULL;
	return found;
}

const json_t *
slack_history_find(const json_t *answer, const char *id)
{
	const json_t *msgs = json_object_get(answer, "messages"), *m;
	size_t i;

	json_array_foreach(msgs, i, m) {
		const json_t *md = json_object_get(m, "metadata");
		const char *t = json_string_value(json_object_get(md,
		    "event_type"));
		const char *mid = json_string_value(json_object_get(
		    json_object_get(md, "event_payload"), "incident_id"));
		if (t && mid && strcmp(t, SLACK_EVENT_TYPE) == 0 &&
		    strcmp(mid, id) == 0)
			return m;
	}
	return NULL;
}

/* Templates */

json_t *
slack_template_load(const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *t = json_load_file(path, 0, &je);

	if (!t) {
		snprintf(err, errlen, "%s:%d: %s", path, je.line, je.text);
		return NULL;
	}
	if (!json_is_object(t)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		json_decref(t);
		return NULL;
	}
	return t;
}

/* mrkdwn gives &, < and > a meaning: they are sent escaped (Slack's
 * "Formatting text for app surfaces"). */
static void
put_escaped(struct strbuf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			strbuf_put(b, "&amp;", 5);
		else if (*s == '<')
			strbuf_put(b, "&lt;", 4);
		else if (*s == '>')
			strbuf_put(b, "&gt;", 4);
		else
			strbuf_put(b, s, 1);
	}
}

static const char *
var(const json_t *vars, const char *name, size_t len)
{
	char key[64];
	const char *v;

	if (len >= sizeof key)
		return "";
	memcpy(key, name, len);
	key[len] = '\0';
	v = json_string_value(json_object_get(vars, key));
	return v ? v : "";
}

/* Cut b to max characters (code points), the last one an ellipsis. */
static void
cut_chars(struct strbuf *b, size_t max)
{
	size_t chars = 0, keep = 0;

	for (size_t i = 0; i < b->len; i++) {
		if (((unsigned char)b->s[i] & 0xC0) == 0x80)
			continue;
		if (++chars == max)
			keep = i;
		if (chars > max) {
			b->len = keep;
			b->s[keep] = '\0';
			strbuf_put(b, "\xe2\x80\xa6", 3);
			return;
		}
	}
}

static json_t *
fill_string(const char *t, const json_t *vars, int escape, size_t max)
{
	struct strbuf b = { 0 };
	const char *p = t, *open, *close;
	json_t *out;

	strbuf_put(&b, "", 0);
	while ((open = strstr(p, "{{")) && (close = strstr(open + 2, "}}"))) {
		strbuf_put(&b, p, (size_t)(open - p));
		const char *v = var(vars, open + 2, (size_t)(close - open - 2));
		if (escape)
			put_escaped(&b, v);
		else
			strbuf_put(&b, v, strlen(v));
		p = close + 2;
	}
	strbuf_put(&b, p, strlen(p));
	if (b.oom) {
		free(b.s);
		return NULL;
	}
	if (max)
		cut_chars(&b, max);
	out = json_stringn(b.s, b.len);
	free(b.s);
	return out;
}

/* Whether an element's "if" names an empty variable: leave it out. */
static int
dropped(const json_t *v, const json_t *vars)
{
	const char *cond = json_string_value(json_object_get(v, "if"));

	return cond && !*var(vars, cond, strlen(cond));
}

static json_t *
fill(const json_t *t, const json_t *vars, int in_header, int plain)
{
	json_t *out, *v, *c;
	const char *k;
	size_t i;

	if (json_is_string(t))
		return fill_string(json_string_value(t), vars, !plain, 0);
	if (json_is_array(t)) {
		out = json_array();
		json_array_foreach(t, i, v) {
			if (dropped(v, vars))
				continue;
			if (!(c = fill(v, vars, in_header, plain)) ||
			    json_array_append_new(out, c) < 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	}
	if (!json_is_object(t))
		return json_deep_copy(t);
	if (!in_header)
		in_header = json_is_string(json_object_get(t, "type")) &&
		    strcmp(json_string_value(json_object_get(t, "type")),
		    "header") == 0;
	plain = json_is_string(json_object_get(t, "type")) &&
	    strcmp(json_string_value(json_object_get(t, "type")),
	    "plain_text") == 0;
	out = json_object();
	json_object_foreach((json_t *)t, k, v) {
		if (strcmp(k, "if") == 0 || dropped(v, vars))
			continue;
		if (json_is_string(v))
			/* Only texts are mrkdwn: ids, values and URLs are
			 * sent as they are. */
			c = fill_string(json_string_value(v), vars,
			    strcmp(k, "text") == 0 && !plain,
			    strcmp(k, "text") != 0 ? 0 : in_header ?
			    HEADER_MAX : TEXT_MAX);
		else
			c = fill(v, vars, in_header, plain);
		if (!c || json_object_set_new(out, k, c) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
slack_fill(const json_t *tmpl, const json_t *vars)
{
	return fill(tmpl, vars, 0, 0);
}

/* Signatures */

int
slack_verify(const char *secret, const char *timestamp,
    const char *signature, const char *body, size_t len, time_t now,
    char *why, size_t whylen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char want[3 + 2 * EVP_MAX_MD_SIZE + 1], *end;
	long long ts;
	size_t tslen;
	char *base;
	int ok;

	if (!secret || !*secret) {
		snprintf(why, whylen, "no signing secret");
		return -1;
	}
	if (!timestamp || !signature || !body) {
		snprintf(why, whylen, "X-Slack-Request-Timestamp and "
		    "X-Slack-Signature are required");
		return -1;
	}
	errno = 0;
	ts = strtoll(timestamp, &end, 10);
	if (!*timestamp || *end || errno) {
		snprintf(why, whylen, "X-Slack-Request-Timestamp: not a "
		    "number");
		return -1;
	}
	/* A replayed request is refused once it is old (protocols.md
	 * §1.7: |now - timestamp| > 300 s). */
	if (ts < (long long)now - SLACK_SIG_WINDOW ||
	    ts > (long long)now + SLACK_SIG_WINDOW) {
		snprintf(why, whylen, "stale request: its timestamp is more "
		    "than %d s from now", SLACK_SIG_WINDOW);
		return -1;
	}
	/* The base string "v0:TS:BODY", keyed with the secret's own bytes
	 * (not hex- or base64-decoded). */
	tslen = strlen(timestamp);
	if (!(base = malloc(tslen + len + 4)))
		goto oom;
	memcpy(base, "v0:", 3);
	memcpy(base + 3, timestamp, tslen);
	base[3 + tslen] = ':';
	memcpy(base + 4 + tslen, body, len);
	ok = HMAC(EVP_sha256(), secret, (int)strlen(secret),
	    (const unsigned char *)base, tslen + len + 4, mac, &maclen) != NULL;
	free(base);
	if (!ok)
		goto oom;
	memcpy(want, "v0=", 3);
	for (unsigned i = 0; i < maclen; i++)
		snprintf(want + 3 + 2 * i, 3, "%02x", mac[i]);
	if (strlen(signature) != 3 + 2 * (size_t)maclen ||
	    CRYPTO_memcmp(want, signature, 3 + 2 * (size_t)maclen) != 0) {
		snprintf(why, whylen, "bad signature");
		return -1;
	}
	return 0;
oom:
	snprintf(why, whylen, "cannot compute HMAC-SHA256");
	return -1;
}
