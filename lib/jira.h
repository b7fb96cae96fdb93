/*
 * jira: the Jira Cloud REST client of inc-jira, over lib/http
 * (protocols.md §2).
 *
 * It knows the requests and what their answers mean: who am I (the
 * credential check), the JQL search that finds an incident's issue by its
 * label (GET /rest/api/3/search/jql: the old /search answers 410, §2.3),
 * creating an issue with the fields an incident gives it, the comments on
 * an issue and adding one.  Requests are built here and run by the caller
 * (alone, or many at once with http_run_all()); answers are read here.
 * The API version decides the shape of rich text: a wiki-markup string for
 * /rest/api/2, an Atlassian Document Format object for /rest/api/3.
 *
 * What the fields are made of: the summary "[HIGH] title (id)"; labels
 * "incident" and "inc-<id>" with every character a label may not hold
 * (whitespace above all, §2.2) turned into '-'; a priority from the
 * record's severity through a map (HIGH=Highest,MEDIUM=High,LOW=Medium by
 * default); a description with the details, classification, suggestions,
 * matched runbook and Slack channel of the record.
 *
 * Left to the caller: the order of the steps (search, create, comment),
 * what to do after an error, and the record itself.  Nothing here logs;
 * reasons come back in the caller's buffer, without credentials.
 */
#ifndef INC_JIRA_H
#define INC_JIRA_H

#include <stddef.h>
#include <jansson.h>

#include "http.h"

#define JIRA_DEFAULT_ISSUE_TYPE		"Incident"
#define JIRA_DEFAULT_FALLBACK_TYPE	"Task"
#define JIRA_DEFAULT_PRIORITY_MAP	"HIGH=Highest,MEDIUM=High,LOW=Medium"
#define JIRA_SEVERITIES			3	/* LOW, MEDIUM, HIGH */

struct jira;

/* What a client is made from; strings are copied by jira_new(). */
struct jira_settings {
	const char *url;	/* JIRA_URL, the site: https://x.atlassian.net */
	const char *user;	/* JIRA_USER, the account's email */
	const char *token;	/* JIRA_API_TOKEN */
	const char *project;	/* JIRA_PROJECT, a key such as OPS */
	const char *issue_type;	/* JIRA_ISSUE_TYPE */
	const char *fallback_type; /* when the project lacks issue_type */
	int api;		/* 2 or 3 */
	/* Priority names by severity (LOW, MEDIUM, HIGH); NULL sends no
	 * priority for that severity. */
	const char *priority[JIRA_SEVERITIES];
};

/* Settings. */

/*
 * Parse a priority map, "HIGH=Highest,MEDIUM=High,LOW=Medium": severities
 * in any order and case, names trimmed, an empty name for "send none"; a
 * severity left out keeps what names[] held.  The names point into buf, a
 * copy of spec the caller keeps.  0, or -1 with the reason.
 */
int jira_priority_map(const char *spec, char *buf, size_t buflen,
    const char *names[JIRA_SEVERITIES], char *why, size_t whylen);

/* 0, 1, 2 for LOW, MEDIUM, HIGH (any case); -1 for anything else. */
int jira_severity_rank(const char *severity);

/* The client. */

/*
 * A client for s, with Basic auth user:token and JSON accepted; NULL with
 * the reason (a URL that is not http(s), libcurl missing, ENOMEM).
 */
struct jira *jira_new(const struct jira_settings *s, char *why,
    size_t whylen);
void jira_free(struct jira *j);

/* Its HTTP client, for timeouts, retries, concurrency and dry runs. */
struct http_client *jira_http(struct jira *j);

/* The API version (2 or 3) and the issue type asked for now. */
int jira_api(const struct jira *j);
const char *jira_issue_type(const struct jira *j);

/*
 * Use the fallback issue type from now on: the project has no issue type
 * of the configured name.  Returns 0, or -1 when the fallback is in use
 * already (or the same name): there is nothing left to fall back to.
 */
int jira_use_fallback_type(struct jira *j);

/* The browse link of an issue, JIRA_URL/browse/KEY; malloc'd, or NULL. */
char *jira_issue_url(const struct jira *j, const char *key);

/* What the fields are made of. */

/* The label of an incident, "inc-<id>", with no character Jira refuses. */
void jira_label(const char *id, char *out, size_t outlen);

/* The summary "[HIGH] title (id)", cut to Jira's 255; malloc'd. */
char *jira_summary(const json_t *rec);

/* The description: a wiki string (v2) or an ADF document (v3); new. */
json_t *jira_description(const struct jira *j, const json_t *rec);

/*
 * The comment for a status change ("acknowledged", "resolved"): who, when
 * and the resolution, ending with a marker line that jira_comment_has()
 * looks for, so that a replay finds the comment it made.  New reference.
 */
json_t *jira_comment_body(const struct jira *j, const json_t *rec,
    const char *status);

/* Requests (new; the caller runs and frees them). */

struct http_request *jira_myself_request(const struct jira *j);
/* The JQL search for label; next is the nextPageToken, or NULL first. */
struct http_request *jira_search_request(const struct jira *j,
    const char *label, const char *next);
/* with_priority 0 leaves the priority out (the project refused it). */
struct http_request *jira_create_request(const struct jira *j,
    const json_t *rec, int with_priority);
/* A page of the comments of key, oldest first, from start_at. */
struct http_request *jira_comments_request(const struct jira *j,
    const char *key, long start_at);
struct http_request *jira_comment_request(const struct jira *j,
    const char *key, const json_t *rec, const char *status);

/* Answers. */

/*
 * Why an answer is not a success (expected is the 2xx wanted): the
 * transport error, "bad credentials" for 401 and 403, else the status and
 * Jira's {errorMessages, errors}, each field named.  Returns 0 when r is
 * a success, else -1 with why set.
 */
int jira_answer_error(const struct http_response *r, long expected,
    char *why, size_t whylen);

enum jira_search {
	JIRA_SEARCH_FOUND,	/* *issue holds {id, key} */
	JIRA_SEARCH_MORE,	/* not on this page; *next is the token */
	JIRA_SEARCH_NONE,	/* no issue has the label */
	JIRA_SEARCH_ERROR,	/* why says what went wrong */
};

/*
 * Read a search answer: the first issue that carries label exactly (the
 * search may match labels without regard to case).  *issue is a new
 * object, *next malloc'd.
 */
enum jira_search jira_search_answer(const struct http_response *r,
    const char *label, json_t **issue, char **next, char *why,
    size_t whylen);

/* The fields a 400 answer to a create blamed, as bits. */
#define JIRA_BLAME_ISSUETYPE	1
#define JIRA_BLAME_PRIORITY	2
#define JIRA_BLAME_OTHER	4

/*
 * Read a create answer: 0 and *issue {id, key} on 201, else -1 with why
 * and, for a 400, *blame the fields it named.
 */
int jira_create_answer(const struct http_response *r, json_t **issue,
    unsigned *blame, char *why, size_t whylen);

/*
 * Read a page of comments: 0 with *found 1 when one holds the marker of
 * (id, status), else *next_start is where the next page starts (-1: this
 * was the last); -1 with why on an error.
 */
int jira_comments_answer(const struct http_response *r, const char *id,
    const char *status, int *found, long *next_start, char *why,
    size_t whylen);

/* The marker line of a status comment, "inc: ID STATUS". */
void jira_comment_marker(const char *id, const char *status, char *out,
    size_t outlen);

#endif
