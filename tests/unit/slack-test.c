/*
 * slack-test: lib/slack and lib/form.  Every vector of
 * ../shared/data/signature-vectors/slack_signature_vectors.json must give
 * its expected result; the test skips (77) only when the file is absent.
 */
#include "form.h"
#include "slack.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"

#define VECTORS "data/signature-vectors/slack_signature_vectors.json"

/* The vector named in a note ("the body of slack-docs-slash-command
 * with ..."), for the fields a vector leaves to another. */
static const json_t *
referenced(const json_t *vectors, const json_t *v)
{
	const char *notes[] = { "raw_body_note", "note" };
	const json_t *o;
	size_t i;

	for (int k = 0; k < 2; k++) {
		const char *n = json_string_value(json_object_get(v,
		    notes[k]));
		if (!n)
			continue;
		json_array_foreach(vectors, i, o) {
			const char *id = json_string_value(json_object_get(o,
			    "id"));
			if (o != v && id && strstr(n, id))
				return o;
		}
	}
	return NULL;
}

static const char *
field(const json_t *vectors, const json_t *v, const char *key)
{
	const char *s = json_string_value(json_object_get(v, key));
	const json_t *ref;

	if (s)
		return s;
	ref = referenced(vectors, v);
	return ref ? field(vectors, ref, key) : NULL;
}

static void
vectors(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je), *vs, *v;
	size_t i;
	int n = 0;

	CHECK(doc != NULL);
	vs = json_object_get(doc, "vectors");
	CHECK(json_array_size(vs) > 0);
	json_array_foreach(vs, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *secret = field(vs, v, "signing_secret");
		const char *ts = field(vs, v, "x_slack_request_timestamp");
		const char *sig = field(vs, v, "x_slack_signature");
		const char *body = field(vs, v, "raw_body");
		const char *bnote = json_string_value(json_object_get(v,
		    "raw_body_note"));
		const char *note = json_string_value(json_object_get(v,
		    "note"));
		int want = json_is_true(json_object_get(v, "expected_valid"));
		json_t *at = json_object_get(v, "expected_valid_at_now");
		const char *app, *app_end;
		char *b = NULL, why[200];
		time_t now;
		int got;

		CHECK(id && secret && ts && sig && body);
		if (!id || !secret || !ts || !sig || !body)
			continue;
		b = strdup(body);
		/* "... with '------' appended": the tampered body. */
		if (bnote && (app = strstr(bnote, "with '")) &&
		    (app_end = strstr(app + 6, "' appended"))) {
			size_t bl = strlen(b), al = (size_t)(app_end - app - 6);
			b = realloc(b, bl + al + 1);
			memcpy(b + bl, app + 6, al);
			b[bl + al] = '\0';
		}
		/* The expired vector is checked against the real clock; the
		 * others at the moment they were made, so that a tampered
		 * one fails for its tampering and not for its age. */
		if (note && strstr(note, "real current clock"))
			now = time(NULL);
		else if (json_is_integer(at))
			now = (time_t)json_integer_value(at);
		else
			now = (time_t)strtoll(ts, NULL, 10);
		got = slack_verify(secret, ts, sig, b, strlen(b), now, why,
		    sizeof why) == 0;
		if (got != want)
			fprintf(stderr, "vector %s: got %s (%s), want %s\n",
			    id, got ? "valid" : "invalid", got ? "" : why,
			    want ? "valid" : "invalid");
		CHECK(got == want);
		if (!want && note && strstr(note, "real current clock"))
			CHECK(strstr(why, "stale") != NULL);
		else if (!want)
			CHECK(strstr(why, "bad signature") != NULL);
		free(b);
		n++;
	}
	CHECK((size_t)n == json_array_size(vs));
	printf("%d signature vectors\n", n);
	json_decref(doc);
}

/* The window is 300 s either way, both ends included. */
static void
window(void)
{
	const char *secret = "8f742231b10e8888abcd99yyyzzz85a5";
	const char *ts = "1531420618";
	const char *body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&"
	    "team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar"
	    "&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-"
	    "collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
	    "commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
	    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b"
	    "6703c";
	const char *sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd2"
	    "7519666489c69b503";
	char why[200];

	CHECK(slack_verify(secret, ts, sig, body, strlen(body), 1531420618 +
	    300, why, sizeof why) == 0);
	CHECK(slack_verify(secret, ts, sig, body, strlen(body), 1531420618 -
	    300, why, sizeof why) == 0);
	CHECK(slack_verify(secret, ts, sig, body, strlen(body), 1531420618 +
	    301, why, sizeof why) < 0);
	CHECK(slack_verify(secret, ts, sig, body, strlen(body), 1531420618 -
	    301, why, sizeof why) < 0);
	/* Upper-case hex, a missing prefix, a short one, no headers. */
	CHECK(slack_verify(secret, ts, "v0=A2114D57B48EAC39B9AD189DD8316235A7"
	    "B4A8D21A10BD27519666489C69B503", body, strlen(body), 1531420618,
	    why, sizeof why) < 0);
	CHECK(slack_verify(secret, ts, sig + 3, body, strlen(body),
	    1531420618, why, sizeof why) < 0);
	CHECK(slack_verify(secret, ts, "v0=a2", body, strlen(body),
	    1531420618, why, sizeof why) < 0);
	CHECK(slack_verify(secret, NULL, sig, body, strlen(body), 1531420618,
	    why, sizeof why) < 0);
	CHECK(slack_verify(secret, ts, NULL, body, strlen(body), 1531420618,
	    why, sizeof why) < 0);
	CHECK(slack_verify(secret, "1531420618x", sig, body, strlen(body),
	    1531420618, why, sizeof why) < 0);
	CHECK(slack_verify("", ts, sig, body, strlen(body), 1531420618, why,
	    sizeof why) < 0);
}

static void
names(void)
{
	char n[SLACK_NAME_MAX + 1];
	char id[200];

	slack_channel_name("INC-20261127-021906-123456-K7QF", n, sizeof n);
	CHECK_STR(n, "incident-inc-20261127-021906-123456-k7qf");
	slack_channel_name("am-ab12:Cd.x_y", n, sizeof n);
	CHECK_STR(n, "incident-am-ab12-cd-x_y");
	memset(id, 'A', 128);
	id[128] = '\0';
	slack_channel_name(id, n, sizeof n);
	CHECK(strlen(n) == 80);
	CHECK(strncmp(n, "incident-aaaa", 13) == 0);
}

static void
form(void)
{
	const char *b = "a=1&payload=%7B%22x%22%3A+%22y+z%22%7D&empty=&c";
	char *v;

	v = form_value(b, strlen(b), "payload");
	CHECK_STR(v, "{\"x\": \"y z\"}");
	free(v);
	v = form_value(b, strlen(b), "empty");
	CHECK_STR(v, "");
	free(v);
	v = form_value(b, strlen(b), "c");
	CHECK_STR(v, "");
	free(v);
	errno = 0;
	CHECK(form_value(b, strlen(b), "nope") == NULL && errno == ENOENT);
	CHECK(form_value("x=%4", 4, "x") == NULL && errno == EINVAL);
	CHECK(form_value("x=%00", 5, "x") == NULL && errno == EINVAL);
	/* Only len bytes are read. */
	v = form_value("x=12&y=3", 4, "x");
	CHECK_STR(v, "12");
	free(v);
}

static void
answers(void)
{
	struct http_response r = { .status = 200 };
	const char *code, *cursor;
	char why[200];
	json_t *j;

	r.json = json_pack("{s:b, s:s}", "ok", 0, "error", "invalid_auth");
	CHECK(slack_result(&r, "conversations.create", &code, why,
	    sizeof why) < 0);
	CHECK_STR(why, "slack: conversations.create: invalid_auth");
	CHECK_STR(code, "invalid_auth");
	json_decref(r.json);
	r.json = json_pack("{s:b, s:s, s:s}", "ok", 0, "error",
	    "missing_scope", "needed", "channels:manage");
	CHECK(slack_result(&r, "conversations.create", &code, why,
	    sizeof why) < 0);
	CHECK_STR(why, "slack: conversations.create: missing_scope (needs "
	    "channels:manage)");
	json_decref(r.json);
	r.status = 429;
	r.json = json_pack("{s:b, s:s}", "ok", 0, "error", "ratelimited");
	CHECK(slack_result(&r, "chat.postMessage", &code, why,
	    sizeof why) < 0);
	CHECK_STR(why, "slack: chat.postMessage: ratelimited (HTTP 429)");
	json_decref(r.json);
	r.status = 200;
	r.json = json_pack("{s:b}", "ok", 1);
	CHECK(slack_result(&r, "chat.postMessage", &code, why,
	    sizeof why) == 0);
	CHECK(code == NULL);
	json_decref(r.json);
	r.json = NULL;
	r.status = 502;
	CHECK(slack_result(&r, "auth.test", NULL, why, sizeof why) < 0);
	CHECK_STR(why, "slack: auth.test: HTTP 502");
	r.err = -ECONNREFUSED;
	r.error = "Connection refused";
	CHECK(slack_result(&r, "auth.test", NULL, why, sizeof why) < 0);
	CHECK_STR(why, "slack: auth.test: Connection refused");

	j = json_loads("{\"ok\":true,\"channels\":[{\"id\":\"C1\",\"name\":"
	    "\"incident-a\"},{\"id\":\"C2\",\"name\":\"incident-ab\"}],"
	    "\"response_metadata\":{\"next_cursor\":\"abc\"}}", 0, NULL);
	CHECK_STR(json_string_value(json_object_get(slack_list_find(j,
	    "incident-ab", &cursor), "id")), "C2");
	CHECK_STR(cursor, "abc");
	CHECK(slack_list_find(j, "incident-", &cursor) == NULL);
	json_decref(j);
	j = json_loads("{\"ok\":true,\"channels\":[],"
	    "\"response_metadata\":{\"next_cursor\":\"\"}}", 0, NULL);
	CHECK(slack_list_find(j, "x", &cursor) == NULL && cursor == NULL);
	json_decref(j);
	j = json_loads("{\"ok\":true,\"messages\":[{\"ts\":\"2.0\"},"
	    "{\"ts\":\"1.0\",\"metadata\":{\"event_type\":\"inc_incident\","
	    "\"event_payload\":{\"incident_id\":\"X-1\"}}}]}", 0, NULL);
	CHECK_STR(json_string_value(json_object_get(slack_history_find(j,
	    "X-1"), "ts")), "1.0");
	CHECK(slack_history_find(j, "X-2") == NULL);
	json_decref(j);
}

static void
templates(void)
{
	json_t *t = json_loads("{\"text\":\"[{{sev}}] {{title}}\","
	    "\"blocks\":[{\"type\":\"header\",\"text\":{\"type\":"
	    "\"plain_text\",\"text\":\"{{title}}\"}},"
	    "{\"if\":\"jira\",\"type\":\"section\",\"text\":{\"type\":"
	    "\"mrkdwn\",\"text\":\"<{{jira}}|x>\"}},"
	    "{\"type\":\"actions\",\"elements\":[{\"type\":\"button\","
	    "\"value\":\"{{id}}\",\"action_id\":\"inc_ack\"}]}]}", 0, NULL);
	json_t *vars = json_pack("{s:s, s:s, s:s}", "sev", "HIGH", "title",
	    "a < b & c", "id", "A&B");
	json_t *out = slack_fill(t, vars), *b;
	char long_title[400];

	CHECK(out != NULL);
	CHECK_STR(json_string_value(json_object_get(out, "text")),
	    "[HIGH] a &lt; b &amp; c");
	b = json_object_get(out, "blocks");
	CHECK(json_array_size(b) == 2);
	CHECK_STR(json_string_value(json_object_get(json_object_get(
	    json_array_get(b, 0), "text"), "text")), "a < b & c");
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(b, 1), "elements"), 0), "value")),
	    "A&B");
	json_decref(out);
	json_object_set_new(vars, "jira", json_string("https://j/b?a=1&b=2"));
	memset(long_title, 'x', 300);
	long_title[300] = '\0';
	json_object_set_new(vars, "title", json_string(long_title));
	out = slack_fill(t, vars);
	b = json_object_get(out, "blocks");
	CHECK(json_array_size(b) == 3);
	CHECK(json_object_get(json_array_get(b, 1), "if") == NULL);
	CHECK_STR(json_string_value(json_object_get(json_object_get(
	    json_array_get(b, 1), "text"), "text")), "<https://j/b?a=1&amp;"
	    "b=2|x>");
	/* A header holds 150 characters: 149 and an ellipsis. */
	CHECK(strlen(json_string_value(json_object_get(json_object_get(
	    json_array_get(b, 0), "text"), "text"))) == 149 + 3);
	json_decref(out);
	json_decref(vars);
	json_decref(t);
}

int
main(void)
{
	const char *top = getenv("TOP");
	char path[4096];
	FILE *f;

	names();
	form();
	answers();
	templates();
	window();
	snprintf(path, sizeof path, "%s/../shared/%s", top ? top : ".",
	    VECTORS);
	if (!(f = fopen(path, "r"))) {
		printf("%s is absent: the signature vectors are not run\n",
		    path);
		unit_done();
		return unit_failed ? 1 : 77;
	}
	fclose(f);
	vectors(path);
	return unit_done();
}
