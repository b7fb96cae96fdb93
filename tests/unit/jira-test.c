/* jira: labels, summaries, priority maps, rich text, and reading answers. */
#include <stdlib.h>

#include "jira.h"
#include "unit.h"

static struct jira *
client(int api)
{
	struct jira_settings s = { .url = "http://127.0.0.1:9/", .user = "u",
	    .token = "t", .project = "OPS", .api = api,
	    .priority = { "Medium", "High", "Highest" } };
	char why[128];

	return jira_new(&s, why, sizeof why);
}

/* An answer as lib/http would leave it. */
static struct http_response
answer(long status, const char *body)
{
	struct http_response r = { .status = status, .retry_after_ms = -1 };

	r.json = body ? json_loads(body, 0, NULL) : NULL;
	r.body = (char *)(body ? body : "");
	r.body_len = strlen(r.body);
	return r;
}

/* Every text node of an ADF tree is non-empty (Jira refuses empty ones). */
static int
no_empty_text(const json_t *v)
{
	const char *k;
	const json_t *c;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			if (!no_empty_text(c))
				return 0;
	} else if (json_is_object(v)) {
		const char *t = json_string_value(json_object_get(v, "type"));
		if (t && strcmp(t, "text") == 0 && (!json_string_value(
		    json_object_get(v, "text")) || !*json_string_value(
		    json_object_get(v, "text"))))
			return 0;
		json_object_foreach((json_t *)v, k, c)
			if (!no_empty_text(c))
				return 0;
	}
	return 1;
}

int
main(void)
{
	const char *names[JIRA_SEVERITIES] = { "a", "b", "c" };
	char buf[256], why[256], label[300];
	struct jira *j2 = client(2), *j3 = client(3);
	struct http_response r;
	json_t *rec, *d, *issue;
	char *s, *next;
	unsigned blame;
	long start;
	int found;

	CHECK(j2 && j3);

	/* Labels never hold whitespace, quotes or backslashes. */
	jira_label("INC-42", label, sizeof label);
	CHECK_STR(label, "inc-INC-42");
	jira_label("a b\tc\"d'e\\f\ng", label, sizeof label);
	CHECK_STR(label, "inc-a-b-c-d-e-f-g");
	jira_label("caf\xc3\xa9:1.2", label, sizeof label);
	CHECK_STR(label, "inc-caf\xc3\xa9:1.2");
	memset(buf, 'x', 254);
	buf[254] = '\0';
	jira_label(buf, label, sizeof label);
	CHECK(strlen(label) == 255);

	/* Priority maps: any order and case, a name left out kept, an empty
	 * one cleared; mistakes named. */
	CHECK(jira_priority_map(" high = Blocker , LOW=", buf, sizeof buf,
	    names, why, sizeof why) == 0);
	CHECK(names[0] == NULL);
	CHECK_STR(names[1], "b");
	CHECK_STR(names[2], "Blocker");
	CHECK(jira_priority_map("URGENT=x", buf, sizeof buf, names, why,
	    sizeof why) < 0);
	CHECK_STR(why, "'URGENT': not LOW, MEDIUM or HIGH");
	CHECK(jira_priority_map("HIGH", buf, sizeof buf, names, why,
	    sizeof why) < 0);
	CHECK_STR(why, "'HIGH': not SEVERITY=Priority");
	CHECK(jira_severity_rank("medium") == 1);
	CHECK(jira_severity_rank("CRITICAL") == -1);

	/* Summaries: [SEVERITY] title (id); a long title gives way. */
	rec = json_pack("{s:s, s:s, s:s}", "id", "INC-1", "title",
	    "Disk full\nsecond line", "severity", "high");
	s = jira_summary(rec);
	CHECK_STR(s, "[HIGH] Disk full (INC-1)");
	free(s);
	memset(buf, 'y', 255);
	buf[255] = '\0';
	json_object_set_new(rec, "title", json_string(buf));
	s = jira_summary(rec);
	CHECK(s && strlen(s) == 255);
	CHECK(s && strncmp(s, "[HIGH] yyy", 10) == 0);
	CHECK(s && strcmp(s + 255 - 8, " (INC-1)") == 0);
	free(s);
	json_object_del(rec, "title");
	json_object_del(rec, "severity");
	json_object_set_new(rec, "description", json_string("only this"));
	s = jira_summary(rec);
	CHECK_STR(s, "only this (INC-1)");
	free(s);
	json_decref(rec);

	/* Rich text: wiki markup escaped in v2, ADF without empty text in v3. */
	rec = json_pack("{s:s, s:s, s:s, s:{s:s, s:f, s:[s, s, s]}, s:{s:s}}",
	    "id", "INC-2", "description", "a [link|x] *bold*\n\nnext",
	    "severity", "LOW", "classification", "method", "rules",
	    "confidence", 0.5, "suggestions", "one", "", "two\nlines",
	    "slack", "channel", "incident-inc-2");
	d = jira_description(j2, rec);
	CHECK(json_is_string(d));
	CHECK(strstr(json_string_value(d), "a \\[link\\|x\\] \\*bold\\*"));
	CHECK(strstr(json_string_value(d), "* one\n* two lines"));
	CHECK(strstr(json_string_value(d), "#incident-inc-2"));
	json_decref(d);
	d = jira_description(j3, rec);
	CHECK_STR(json_string_value(json_object_get(d, "type")), "doc");
	CHECK(json_integer_value(json_object_get(d, "version")) == 1);
	CHECK(no_empty_text(d));
	json_decref(d);

	/* Comments end with the marker a replay looks for, in both forms. */
	json_object_set_new(rec, "acknowledged_by", json_string("alice"));
	d = jira_comment_body(j2, rec, "acknowledged");
	CHECK(strstr(json_string_value(d), "Acknowledged by alice"));
	CHECK(strstr(json_string_value(d), "inc: INC-2 acknowledged"));
	issue = json_pack("{s:i, s:i, s:[{s:o}]}", "startAt", 0, "total", 1,
	    "comments", "body", jira_comment_body(j3, rec, "acknowledged"));
	s = json_dumps(issue, 0);
	json_decref(issue);
	r = answer(200, s);
	CHECK(jira_comments_answer(&r, "INC-2", "acknowledged", &found,
	    &start, why, sizeof why) == 0 && found);
	CHECK(jira_comments_answer(&r, "INC-2", "resolved", &found, &start,
	    why, sizeof why) == 0 && !found && start == -1);
	json_decref(r.json);
	free(s);
	r = answer(200, "{\"startAt\": 0, \"total\": 150, \"comments\": "
	    "[{\"body\": \"x\"}]}");
	CHECK(jira_comments_answer(&r, "INC-2", "resolved", &found, &start,
	    why, sizeof why) == 0 && !found && start == 1);
	json_decref(r.json);
	json_decref(d);
	json_decref(rec);

	/* Errors name each field; 401 is said plainly. */
	r = answer(400, "{\"errorMessages\": [\"Field 'priority' is "
	    "required\"], \"errors\": {\"labels\": \"The label 'a b' contains "
	    "spaces which is invalid.\"}}");
	CHECK(jira_create_answer(&r, &issue, &blame, why, sizeof why) < 0);
	CHECK_STR(why, "HTTP 400: Field 'priority' is required; labels: The "
	    "label 'a b' contains spaces which is invalid.");
	CHECK(blame == JIRA_BLAME_OTHER);
	json_decref(r.json);
	r = answer(400, "{\"errorMessages\": [], \"errors\": {\"issuetype\": "
	    "\"Specify a valid issue type\", \"priority\": \"x\"}}");
	CHECK(jira_create_answer(&r, &issue, &blame, why, sizeof why) < 0);
	CHECK(blame == (JIRA_BLAME_ISSUETYPE | JIRA_BLAME_PRIORITY));
	json_decref(r.json);
	r = answer(401, NULL);
	CHECK(jira_answer_error(&r, 200, why, sizeof why) < 0);
	CHECK(strncmp(why, "bad credentials: HTTP 401", 25) == 0);
	r = answer(201, "{\"id\": \"10\", \"key\": \"OPS-3\"}");
	CHECK(jira_create_answer(&r, &issue, &blame, why, sizeof why) == 0);
	CHECK_STR(json_string_value(json_object_get(issue, "key")), "OPS-3");
	json_decref(issue);
	json_decref(r.json);

	/* Search: an exact label only; the next page while not isLast. */
	r = answer(200, "{\"issues\": [{\"id\": \"1\", \"key\": \"OPS-1\", "
	    "\"fields\": {\"labels\": [\"inc-abc\"]}}], \"nextPageToken\": "
	    "\"t2\", \"isLast\": false}");
	CHECK(jira_search_answer(&r, "inc-ABC", &issue, &next, why,
	    sizeof why) == JIRA_SEARCH_MORE);
	CHECK_STR(next, "t2");
	free(next);
	CHECK(jira_search_answer(&r, "inc-abc", &issue, &next, why,
	    sizeof why) == JIRA_SEARCH_FOUND);
	CHECK_STR(json_string_value(json_object_get(issue, "key")), "OPS-1");
	json_decref(issue);
	json_decref(r.json);
	r = answer(200, "{\"issues\": [], \"isLast\": true}");
	CHECK(jira_search_answer(&r, "inc-x", &issue, &next, why,
	    sizeof why) == JIRA_SEARCH_NONE);
	json_decref(r.json);
	r = answer(410, "{\"errorMessages\": [\"The requested API has been "
	    "removed.\"], \"errors\": {}}");
	CHECK(jira_search_answer(&r, "inc-x", &issue, &next, why,
	    sizeof why) == JIRA_SEARCH_ERROR);
	CHECK_STR(why, "HTTP 410: The requested API has been removed.");
	json_decref(r.json);

	s = jira_issue_url(j2, "OPS-9");
	CHECK_STR(s, "http://127.0.0.1:9/browse/OPS-9");
	free(s);
	CHECK(jira_use_fallback_type(j2) == 0);
	CHECK_STR(jira_issue_type(j2), "Task");
	CHECK(jira_use_fallback_type(j2) < 0);
	jira_free(j2);
	jira_free(j3);
	return unit_done();
}
