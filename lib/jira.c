/*
 * jira: the Jira Cloud REST client (see jira.h; protocols.md §2).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jira.h"
#include "json.h"
#include "utf8.h"

/* Jira's limits: a summary holds 255 characters, a label 255, a text
 * field 32767 (protocols.md §2.2 names the fields; the sizes are Jira's
 * documented field limits).  Ours stay under them with room for markup. */
#define SUMMARY_MAX	255
#define LABEL_MAX	255
#define DETAILS_MAX	16000
#define STEP_MAX	1000
#define STEPS_MAX	10

static const char *const severities[JIRA_SEVERITIES] = {
	"LOW", "MEDIUM", "HIGH"
};

struct jira {
	struct http_client *http;
	char *url;		/* without a trailing '/' */
	char *project;
	char *issue_type, *fallback_type;
	int api, fell_back;
	char *priority[JIRA_SEVERITIES];
};

static void
say(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || whylen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Settings. */

int
jira_severity_rank(const char *severity)
{
	for (int i = 0; severity && i < JIRA_SEVERITIES; i++)
		if (strcasecmp(severity, severities[i]) == 0)
			return i;
	return -1;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
jira_priority_map(const char *spec, char *buf, size_t buflen,
    const char *names[JIRA_SEVERITIES], char *why, size_t whylen)
{
	char *p, *item, *save = NULL;

	if (strlen(spec) >= buflen) {
		say(why, whylen, "longer than %zu bytes", buflen - 1);
		return -1;
	}
	strcpy(buf, spec);
	for (p = buf; (item = strtok_r(p, ",", &save)) != NULL; p = NULL) {
		char *eq = strchr(item, '='), *sev, *name;
		int r;

		if (!eq) {
			say(why, whylen, "'%s': not SEVERITY=Priority",
			    trim(item));
			return -1;
		}
		*eq = '\0';
		sev = trim(item);
		name = trim(eq + 1);
		if ((r = jira_severity_rank(sev)) < 0) {
			say(why, whylen, "'%s': not LOW, MEDIUM or HIGH", sev);
			return -1;
		}
		names[r] = *name ? name : NULL;
	}
	return 0;
}

/* The client. */

struct jira *
jira_new(const struct jira_settings *s, char *why, size_t whylen)
{
	struct jira *j = calloc(1, sizeof *j);
	size_t n;

	if (!j)
		goto oom;
	if (!(j->http = http_client_new(s->url))) {
		if (errno == ENOSYS)
			say(why, whylen, "needs libcurl (libcurl4), which is "
			    "not installed");
		else if (errno == EINVAL)
			say(why, whylen, "JIRA_URL: not an http(s) URL");
		else
			goto oom;
		free(j);
		return NULL;
	}
	j->api = s->api == 3 ? 3 : 2;
	j->url = strdup(s->url);
	j->project = strdup(s->project);
	j->issue_type = strdup(s->issue_type ? s->issue_type :
	    JIRA_DEFAULT_ISSUE_TYPE);
	j->fallback_type = strdup(s->fallback_type ? s->fallback_type :
	    JIRA_DEFAULT_FALLBACK_TYPE);
	if (!j->url || !j->project || !j->issue_type || !j->fallback_type)
		goto oom;
	n = strlen(j->url);
	while (n > 0 && j->url[n - 1] == '/')
		j->url[--n] = '\0';
	for (int i = 0; i < JIRA_SEVERITIES; i++)
		if (s->priority[i] && !(j->priority[i] =
		    strdup(s->priority[i])))
			goto oom;
	if (http_client_set_basic(j->http, s->user, s->token) < 0 ||
	    http_client_add_header(j->http, "Accept",
	    "application/json") < 0)
		goto oom;
	return j;
oom:
	say(why, whylen, "out of memory");
	jira_free(j);
	return NULL;
}

void
jira_free(struct jira *j)
{
	if (!j)
		return;
	http_client_free(j->http);
	free(j->url);
	free(j->project);
	free(j->issue_type);
	free(j->fallback_type);
	for (int i = 0; i < JIRA_SEVERITIES; i++)
		free(j->priority[i]);
	free(j);
}

struct http_client *
jira_http(struct jira *j)
{
	return j->http;
}

int
jira_api(const struct jira *j)
{
	return j->api;
}

const char *
jira_issue_type(const struct jira *j)
{
	return j->fell_back ? j->fallback_type : j->issue_type;
}

int
jira_use_fallback_type(struct jira *j)
{
	if (j->fell_back || strcmp(j->issue_type, j->fallback_type) == 0)
		return -1;
	j->fell_back = 1;
	return 0;
}

char *
jira_issue_url(const struct jira *j, const char *key)
{
	char *u;

	if (asprintf(&u, "%s/browse/%s", j->url, key) < 0)
		return NULL;
	return u;
}

/* What the fields are made of. */

void
jira_label(const char *id, char *out, size_t outlen)
{
	size_t n;

	if (outlen == 0)
		return;
	n = (size_t)snprintf(out, outlen, "inc-%s", id ? id : "");
	if (n >= outlen)
		n = outlen - 1;
	if (n > LABEL_MAX)
		n = LABEL_MAX;
	n = utf8_cut(out, n, n);
	out[n] = '\0';
	/* Whitespace is refused (§2.2); quotes and backslashes would end
	 * the JQL string the label is searched with; control characters
	 * have no business in a label.  Ids from inc-ingest hold none. */
	for (char *p = out; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\'' ||
		    *p == '\\' || *p == 0x7f)
			*p = '-';
}

/* The severity of rec, upper case, or NULL. */
static const char *
severity_of(const json_t *rec)
{
	int r = jira_severity_rank(json_string_value(json_object_get(rec,
	    "severity")));

	return r < 0 ? NULL : severities[r];
}

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* The first line of s, at most max bytes, malloc'd. */
static char *
first_line(const char *s, size_t max)
{
	size_t n = strcspn(s, "\r\n");

	return strndup(s, utf8_cut(s, n, max));
}

char *
jira_summary(const json_t *rec)
{
	const char *sev = severity_of(rec), *id = str(rec, "id");
	const char *title = str(rec, "title");
	char *t, *s = NULL, *end = NULL;
	size_t room, tl;

	if (!title || !*title)
		title = str(rec, "description");
	t = first_line(title && *title ? title : "incident", SUMMARY_MAX);
	if (!t)
		return NULL;
	/* The id and severity are what people search for: the title gives
	 * way when the whole would pass Jira's limit. */
	if (asprintf(&end, id ? " (%s)" : "%s", id ? id : "") < 0) {
		free(t);
		return NULL;
	}
	room = SUMMARY_MAX - (sev ? strlen(sev) + 3 : 0);
	room = strlen(end) < room ? room - strlen(end) : 0;
	tl = utf8_cut(t, strlen(t), room);
	if (asprintf(&s, "%s%s%s%.*s%s", sev ? "[" : "", sev ? sev : "",
	    sev ? "] " : "", (int)tl, t, end) < 0)
		s = NULL;
	free(t);
	free(end);
	return s;
}

/*
 * Rich text is built once as a list of blocks, then written as wiki
 * markup (v2) or ADF (v3):
 *   {"h": TEXT}                a heading
 *   {"p": TEXT, "href": URL}   a paragraph, lines kept, maybe a link
 *   {"ul": [TEXT, ...]}        a bullet list
 */
static void
block(json_t *doc, const char *kind, const char *text)
{
	if (text && *text)
		json_array_append_new(doc, json_pack("{s:s}", kind, text));
}

static void
para_link(json_t *doc, const char *text, const char *href)
{
	json_t *b = json_pack("{s:s}", "p", text);

	if (href && strncmp(href, "http", 4) == 0)
		json_object_set_new(b, "href", json_string(href));
	json_array_append_new(doc, b);
}

static char *
cut_copy(const char *s, size_t max)
{
	return strndup(s, utf8_cut(s, strlen(s), max));
}

/* The runbook the classification took, else the closest match. */
static const json_t *
runbook(const json_t *rec)
{
	const json_t *m = json_object_get(rec, "matches"), *v;
	const char *doc = str(json_object_get(rec, "classification"),
	    "document");
	size_t i;

	json_array_foreach(m, i, v)
		if (doc && str(v, "id") && strcmp(str(v, "id"), doc) == 0)
			return v;
	return json_array_get(m, 0);
}

static json_t *
describe(const json_t *rec)
{
	json_t *doc = json_array();
	const json_t *c = json_object_get(rec, "classification");
	const json_t *sl = json_object_get(rec, "slack"), *rb, *v;
	const char *d = str(rec, "description"), *s;
	char line[1024], *t;
	size_t i, n;

	snprintf(line, sizeof line, "Incident %s, severity %s, status %s.",
	    str(rec, "id") ? str(rec, "id") : "(no id)",
	    severity_of(rec) ? severity_of(rec) : "not classified",
	    str(rec, "status") ? str(rec, "status") : "open");
	block(doc, "p", line);
	n = 0;
	line[0] = '\0';
	if ((s = str(rec, "reported_at")) || (s = str(rec, "received_at")))
		n += (size_t)snprintf(line + n, sizeof line - n, "Reported %s",
		    s);
	if ((s = str(rec, "source")) && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", n ?
		    " by " : "Reported by ", s);
	if ((s = str(rec, "type")) && n < sizeof line)
		n += (size_t)snprintf(line + n, sizeof line - n, "%stype %s",
		    n ? ", " : "", s);
	if (n > 0 && n < sizeof line - 1)
		strcat(line, ".");
	block(doc, "p", line);

	block(doc, "h", "Details");
	t = cut_copy(d && *d ? d : str(rec, "title") ? str(rec, "title") :
	    "(no description)", DETAILS_MAX);
	block(doc, "p", t);
	free(t);

	if (json_is_object(c)) {
		const char *m = str(c, "method"), *model = str(c, "model");
		double conf = json_number_value(json_object_get(c,
		    "confidence"));

		block(doc, "h", "Classification");
		snprintf(line, sizeof line, "%s by %s, confidence %.2f%s%s%s.",
		    severity_of(rec) ? severity_of(rec) : "?",
		    m ? m : "?", conf, model ? " (model " : "",
		    model ? model : "", model ? ")" : "");
		block(doc, "p", line);
		if ((s = str(c, "summary")) || (s = str(c, "reason"))) {
			t = cut_copy(s, STEP_MAX);
			block(doc, "p", t);
			free(t);
		}
		if (json_array_size(json_object_get(c, "suggestions")) > 0) {
			json_t *ul = json_array();

			json_array_foreach(json_object_get(c, "suggestions"),
			    i, v) {
				if (i >= STEPS_MAX || !json_string_value(v) ||
				    !*json_string_value(v))
					continue;
				t = cut_copy(json_string_value(v), STEP_MAX);
				json_array_append_new(ul, json_string(t));
				free(t);
			}
			block(doc, "h", "Suggestions");
			json_array_append_new(doc, json_pack("{s:o}", "ul",
			    ul));
		}
	}
	if ((rb = runbook(rec)) && str(rb, "id")) {
		block(doc, "h", "Runbook");
		snprintf(line, sizeof line, "%s (%s), score %.2f.",
		    str(rb, "title") ? str(rb, "title") : str(rb, "id"),
		    str(rb, "id"), json_number_value(json_object_get(rb,
		    "score")));
		block(doc, "p", line);
	}
	if (json_is_object(sl) && ((s = str(sl, "channel")) ||
	    (s = str(sl, "channel_id")))) {
		const char *href = str(sl, "url");

		block(doc, "h", "Slack");
		snprintf(line, sizeof line, "%s%s", *s == '#' ||
		    str(sl, "channel") == NULL ? "" : "#", s);
		para_link(doc, line, href ? href : str(sl, "permalink"));
	}
	return doc;
}

/* Wiki markup (v2): characters that would start markup are escaped. */
static void
wiki_text(struct json_buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\{}[]|*_+^~!", *s))
			json_buf_put(b, "\\", 1);
		json_buf_put(b, s, 1);
	}
}

static json_t *
to_wiki(const json_t *doc)
{
	struct json_buf b = { 0 };
	const json_t *blk, *v;
	json_t *out;
	size_t i, k;

	json_array_foreach(doc, i, blk) {
		const char *s;

		if (b.len)
			json_buf_put(&b, "\n\n", 2);
		if ((s = str(blk, "h"))) {
			json_buf_put(&b, "h3. ", 4);
			wiki_text(&b, s);
		} else if ((s = str(blk, "p"))) {
			const char *href = str(blk, "href");

			if (href)
				json_buf_put(&b, "[", 1);
			wiki_text(&b, s);
			if (href) {
				json_buf_put(&b, "|", 1);
				json_buf_put(&b, href, strlen(href));
				json_buf_put(&b, "]", 1);
			}
		} else {
			json_array_foreach(json_object_get(blk, "ul"), k, v) {
				json_buf_put(&b, k ? "\n* " : "* ", k ? 3 : 2);
				/* A list item is one line in wiki markup. */
				for (const char *p = json_string_value(v); *p;
				    p++) {
					char one[2] = { *p == '\n' || *p == '\r' ?
					    ' ' : *p, 0 };
					wiki_text(&b, one);
				}
			}
		}
	}
	out = json_stringn(b.data ? b.data : "", b.len);
	json_buf_free(&b);
	return out;
}

/* ADF text nodes: one per line, hardBreaks between (an empty text node
 * is refused by Jira). */
static json_t *
adf_inline(const char *s, const char *href)
{
	json_t *a = json_array();

	while (*s) {
		size_t n = strcspn(s, "\r\n");

		if (n > 0) {
			json_t *t = json_pack("{s:s, s:s%}", "type", "text",
			    "text", s, n);
			if (href)
				json_object_set_new(t, "marks", json_pack(
				    "[{s:s, s:{s:s}}]", "type", "link",
				    "attrs", "href", href));
			json_array_append_new(a, t);
		}
		s += n;
		if (*s == '\r' && s[1] == '\n')
			s++;
		if (*s) {
			s++;
			if (*s && json_array_size(a) > 0)
				json_array_append_new(a, json_pack("{s:s}",
				    "type", "hardBreak"));
		}
	}
	return a;
}

static json_t *
adf_para(const char *s, const char *href)
{
	json_t *in = adf_inline(s, href);

	if (json_array_size(in) == 0) {
		json_decref(in);
		return NULL;
	}
	return json_pack("{s:s, s:o}", "type", "paragraph", "content", in);
}

static json_t *
to_adf(const json_t *doc)
{
	json_t *content = json_array();
	const json_t *blk, *v;
	size_t i, k;

	json_array_foreach(doc, i, blk) {
		const char *s;
		json_t *node = NULL;

		if ((s = str(blk, "h"))) {
			json_t *in = adf_inline(s, NULL);

			if (json_array_size(in) > 0)
				node = json_pack("{s:s, s:{s:i}, s:O}", "type",
				    "heading", "attrs", "level", 3, "content",
				    in);
			json_decref(in);
		} else if ((s = str(blk, "p"))) {
			node = adf_para(s, str(blk, "href"));
		} else {
			json_t *items = json_array();

			json_array_foreach(json_object_get(blk, "ul"), k, v) {
				json_t *p = adf_para(json_string_value(v),
				    NULL);
				if (p)
					json_array_append_new(items, json_pack(
					    "{s:s, s:[o]}", "type", "listItem",
					    "content", p));
			}
			if (json_array_size(items) > 0)
				node = json_pack("{s:s, s:O}", "type",
				    "bulletList", "content", items);
			json_decref(items);
		}
		if (node)
			json_array_append_new(content, node);
	}
	return json_pack("{s:s, s:i, s:o}", "type", "doc", "version", 1,
	    "content", content);
}

static json_t *
render(const struct jira *j, json_t *doc)
{
	json_t *out = doc ? (j->api == 3 ? to_adf(doc) : to_wiki(doc)) : NULL;

	json_decref(doc);
	return out;
}

json_t *
jira_description(const struct jira *j, const json_t *rec)
{
	return render(j, describe(rec));
}

void
jira_comment_marker(const char *id, const char *status, char *out,
    size_t outlen)
{
	snprintf(out, outlen, "inc: %s %s", id ? id : "-", status);
}

json_t *
jira_comment_body(const struct jira *j, const json_t *rec,
    const char *status)
{
	json_t *doc = json_array();
	const char *by, *at, *res = str(rec, "resolution");
	char line[512], marker[300];
	char *t;

	if (strcmp(status, "resolved") == 0) {
		by = str(rec, "resolved_by");
		at = str(rec, "resolved_at");
		snprintf(line, sizeof line, "Resolved%s%s%s%s.",
		    by ? " by " : "", by ? by : "", at ? " at " : "",
		    at ? at : "");
		block(doc, "p", line);
		t = cut_copy(res && *res ? res : "(no resolution given)",
		    DETAILS_MAX);
		block(doc, "h", "Resolution");
		block(doc, "p", t);
		free(t);
		/* Acknowledged along the way, when that went uncommented. */
		if ((by = str(rec, "acknowledged_by"))) {
			at = str(rec, "acknowledged_at");
			snprintf(line, sizeof line, "Acknowledged by %s%s%s.",
			    by, at ? " at " : "", at ? at : "");
			block(doc, "p", line);
		}
	} else {
		by = str(rec, "acknowledged_by");
		at = str(rec, "acknowledged_at");
		snprintf(line, sizeof line, "%c%s%s%s%s%s.",
		    toupper((unsigned char)*status), status + 1,
		    by ? " by " : "", by ? by : "", at ? " at " : "",
		    at ? at : "");
		block(doc, "p", line);
	}
	jira_comment_marker(str(rec, "id"), status, marker, sizeof marker);
	block(doc, "p", marker);
	return render(j, doc);
}

/* Requests. */

static struct http_request *
request(const struct jira *j, const char *method, int api, const char *fmt,
    ...)
{
	char path[600];
	int n = snprintf(path, sizeof path, "/rest/api/%d", api ? api :
	    j->api);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path + n, sizeof path - (size_t)n, fmt, ap);
	va_end(ap);
	return http_request_new(method, path);
}

struct http_request *
jira_myself_request(const struct jira *j)
{
	return request(j, "GET", 0, "/myself");
}

struct http_request *
jira_search_request(const struct jira *j, const char *label,
    const char *next)
{
	/* Always v3: the v2 search is gone too, and this answer has no
	 * rich text (§2.3).  JQL must be bounded: the project bounds it. */
	struct http_request *req = request(j, "GET", 3, "/search/jql");
	char *jql = NULL;

	if (!req)
		return NULL;
	if (asprintf(&jql, "project = \"%s\" AND labels = \"%s\" ORDER BY "
	    "created ASC", j->project, label) < 0) {
		http_request_free(req);
		return NULL;
	}
	http_request_query(req, "jql", jql);
	/* Only ids come back unless fields are asked for. */
	http_request_query(req, "fields", "key,labels");
	http_request_query(req, "maxResults", "50");
	if (next)
		http_request_query(req, "nextPageToken", next);
	free(jql);
	return req;
}

struct http_request *
jira_create_request(const struct jira *j, const json_t *rec,
    int with_priority)
{
	struct http_request *req = request(j, "POST", 0, "/issue");
	const char *id = str(rec, "id");
	int r = jira_severity_rank(json_string_value(json_object_get(rec,
	    "severity")));
	char label[LABEL_MAX + 1];
	char *summary = jira_summary(rec);
	json_t *fields, *body;

	if (!req || !summary) {
		free(summary);
		http_request_free(req);
		return NULL;
	}
	jira_label(id, label, sizeof label);
	fields = json_pack("{s:{s:s}, s:s, s:{s:s}, s:o, s:[s, s]}",
	    "project", "key", j->project, "summary", summary,
	    "issuetype", "name", jira_issue_type(j),
	    "description", jira_description(j, rec),
	    "labels", "incident", label);
	if (fields && with_priority && r >= 0 && j->priority[r])
		json_object_set_new(fields, "priority", json_pack("{s:s}",
		    "name", j->priority[r]));
	body = json_pack("{s:o}", "fields", fields);
	if (!body || http_request_json(req, body) < 0) {
		http_request_free(req);
		req = NULL;
	}
	json_decref(body);
	free(summary);
	return req;
}

struct http_request *
jira_comments_request(const struct jira *j, const char *key,
    long start_at)
{
	struct http_request *req = request(j, "GET", 0, "/issue/%s/comment",
	    key);
	char n[24];

	if (!req)
		return NULL;
	snprintf(n, sizeof n, "%ld", start_at);
	http_request_query(req, "startAt", n);
	http_request_query(req, "maxResults", "100");
	return req;
}

struct http_request *
jira_comment_request(const struct jira *j, const char *key,
    const json_t *rec, const char *status)
{
	struct http_request *req = request(j, "POST", 0, "/issue/%s/comment",
	    key);
	json_t *body = json_pack("{s:o}", "body", jira_comment_body(j, rec,
	    status));

	if (!req || !body || http_request_json(req, body) < 0) {
		http_request_free(req);
		req = NULL;
	}
	json_decref(body);
	return req;
}

/* Answers. */

/* Append Jira's errorMessages and errors to b ("; " between). */
static void
error_collection(const json_t *o, char *b, size_t len)
{
	const json_t *v;
	const char *k;
	size_t i, n = strlen(b);

	json_array_foreach(json_object_get(o, "errorMessages"), i, v)
		if (json_string_value(v) && n < len)
			n += (size_t)snprintf(b + n, len - n, "%s%s",
			    n ? "; " : "", json_string_value(v));
	json_object_foreach((json_t *)json_object_get(o, "errors"), k, v) {
		char *d = json_is_string(v) ? NULL : json_dumps(v,
		    JSON_COMPACT | JSON_ENCODE_ANY);

		if (n < len)
			n += (size_t)snprintf(b + n, len - n, "%s%s: %s",
			    n ? "; " : "", k, d ? d : json_string_value(v) ?
			    json_string_value(v) : "?");
		free(d);
	}
}

int
jira_answer_error(const struct http_response *r, long expected, char *why,
    size_t whylen)
{
	char detail[512] = "";

	if (r->err) {
		say(why, whylen, "%s", r->error ? r->error :
		    "request failed");
		return -1;
	}
	if (r->status == expected || (expected == 0 && r->status >= 200 &&
	    r->status <= 299))
		return 0;
	if (json_is_object(r->json))
		error_collection(r->json, detail, sizeof detail);
	else if (r->body && r->body_len > 0 && r->body_len < 200 &&
	    !memchr(r->body, '<', r->body_len))
		snprintf(detail, sizeof detail, "%s", r->body);
	if (r->status == 401)
		say(why, whylen, "bad credentials: HTTP 401 (check JIRA_USER, "
		    "the account's email, and JIRA_API_TOKEN)");
	else if (r->status == 403)
		say(why, whylen, "bad credentials or no permission: HTTP 403"
		    "%s%s", *detail ? ": " : "", detail);
	else if (r->status == 429)
		say(why, whylen, "rate limited: HTTP 429%s%.0d%s%s%s",
		    r->attempts > 1 ? " after " : "", r->attempts > 1 ?
		    r->attempts : 0, r->attempts > 1 ? " attempts" : "",
		    *detail ? ": " : "", detail);
	else
		say(why, whylen, "HTTP %ld%s%s", r->status, *detail ? ": " :
		    "", detail);
	return -1;
}

enum jira_search
jira_search_answer(const struct http_response *r, const char *label,
    json_t **issue, char **next, char *why, size_t whylen)
{
	const json_t *v, *l;
	const char *tok;
	size_t i, k;

	*issue = NULL;
	*next = NULL;
	if (jira_answer_error(r, 200, why, whylen) < 0)
		return JIRA_SEARCH_ERROR;
	if (!json_is_object(r->json)) {
		say(why, whylen, "the search answer is not a JSON object");
		return JIRA_SEARCH_ERROR;
	}
	json_array_foreach(json_object_get(r->json, "issues"), i, v) {
		const char *id = str(v, "id"), *key = str(v, "key");
		int has = 0;

		json_array_foreach(json_object_get(json_object_get(v,
		    "fields"), "labels"), k, l)
			if (json_string_value(l) && strcmp(json_string_value(
			    l), label) == 0)
				has = 1;
		if (has && id && key) {
			*issue = json_pack("{s:s, s:s}", "id", id, "key", key);
			return *issue ? JIRA_SEARCH_FOUND : JIRA_SEARCH_ERROR;
		}
	}
	/* The last page says isLast, or has no token (§2.3). */
	tok = str(r->json, "nextPageToken");
	if (json_is_true(json_object_get(r->json, "isLast")) || !tok || !*tok)
		return JIRA_SEARCH_NONE;
	*next = strdup(tok);
	return *next ? JIRA_SEARCH_MORE : JIRA_SEARCH_ERROR;
}

int
jira_create_answer(const struct http_response *r, json_t **issue,
    unsigned *blame, char *why, size_t whylen)
{
	const json_t *errs;
	const char *k;
	json_t *v;

	*issue = NULL;
	*blame = 0;
	if (jira_answer_error(r, 201, why, whylen) < 0) {
		if (r->status == 400 && json_is_object(errs =
		    json_object_get(r->json, "errors"))) {
			json_object_foreach((json_t *)errs, k, v)
				*blame |= strcmp(k, "issuetype") == 0 ?
				    JIRA_BLAME_ISSUETYPE : strcmp(k,
				    "priority") == 0 ? JIRA_BLAME_PRIORITY :
				    JIRA_BLAME_OTHER;
			if (json_array_size(json_object_get(r->json,
			    "errorMessages")) > 0)
				*blame |= JIRA_BLAME_OTHER;
		}
		return -1;
	}
	if (!str(r->json, "id") || !str(r->json, "key")) {
		say(why, whylen, "HTTP 201 without the issue's id and key");
		return -1;
	}
	*issue = json_pack("{s:s, s:s}", "id", str(r->json, "id"), "key",
	    str(r->json, "key"));
	return 0;
}

/* The text of a comment body: the v2 string, or the ADF text nodes. */
static void
body_text(const json_t *v, struct json_buf *b)
{
	const json_t *c;
	const char *k;
	size_t i;

	if (json_is_string(v)) {
		json_buf_put(b, json_string_value(v),
		    json_string_length(v));
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			body_text(c, b);
	} else if (json_is_object(v)) {
		if (str(v, "type") && strcmp(str(v, "type"), "text") == 0)
			body_text(json_object_get(v, "text"), b);
		else if (str(v, "type") && strcmp(str(v, "type"),
		    "hardBreak") == 0)
			json_buf_put(b, "\n", 1);
		json_object_foreach((json_t *)v, k, c)
			if (strcmp(k, "content") == 0)
				body_text(c, b);
		if (str(v, "type") && strcmp(str(v, "type"), "paragraph") == 0)
			json_buf_put(b, "\n", 1);
	}
}

int
jira_comments_answer(const struct http_response *r, const char *id,
    const char *status, int *found, long *next_start, char *why,
    size_t whylen)
{
	const json_t *cs, *c;
	char marker[300];
	json_int_t start, total;
	size_t i;

	*found = 0;
	*next_start = -1;
	if (jira_answer_error(r, 200, why, whylen) < 0)
		return -1;
	if (!json_is_array(cs = json_object_get(r->json, "comments"))) {
		say(why, whylen, "the comments answer has no comments array");
		return -1;
	}
	jira_comment_marker(id, status, marker, sizeof marker);
	json_array_foreach(cs, i, c) {
		struct json_buf b = { 0 };
		int hit;

		body_text(json_object_get(c, "body"), &b);
		json_buf_put(&b, "", 1);
		hit = b.data && strstr(b.data, marker) != NULL;
		json_buf_free(&b);
		if (hit) {
			*found = 1;
			return 0;
		}
	}
	start = json_integer_value(json_object_get(r->json, "startAt"));
	total = json_integer_value(json_object_get(r->json, "total"));
	if (json_array_size(cs) > 0 && start + (json_int_t)json_array_size(cs)
	    < total)
		*next_start = (long)(start + (json_int_t)json_array_size(cs));
	return 0;
}
