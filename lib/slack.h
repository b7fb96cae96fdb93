/*
 * slack: the pieces of the Slack Web API that inc-slack and inc-httpd
 * share (protocols.md §1): channel names, requests and their answers,
 * the lookups that make a replay find what an earlier pass created,
 * message templates, and the v0 signature of the requests Slack sends.
 *
 * Transport is lib/http: a client made by slack_client_new() sends the
 * bot token as a bearer and retries 429s after their Retry-After.  What
 * Slack means by an answer is read here: it says "ok": false with HTTP
 * 200 for every API error, which http treats as a success.  Sending the
 * requests, in what order and how many at once, is the caller's.
 */
#ifndef INC_SLACK_H
#define INC_SLACK_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "http.h"

/* Channel names: lowercase letters, digits, '-' and '_', 80 at most
 * (protocols.md §1.3). */
#define SLACK_NAME_MAX 80

/* The v0 signature's window: older or newer requests are refused. */
#define SLACK_SIG_WINDOW 300

/* metadata.event_type of the messages inc posts, to find them again. */
#define SLACK_EVENT_TYPE "inc_incident"

/*
 * The channel of incident id: "incident-" and the id, lowercased, each
 * character Slack refuses replaced by '-', cut to SLACK_NAME_MAX.  out
 * has room for SLACK_NAME_MAX + 1 bytes.
 */
void slack_channel_name(const char *id, char *out, size_t len);

/*
 * A client for the Web API at base_url (SLACK_API_URL) with token, or
 * NULL with a reason (a bad URL, libcurl missing, a token that cannot be
 * a header).
 */
struct http_client *slack_client_new(const char *base_url,
    const char *token, char *err, size_t errlen);

/*
 * A request for a Web API method with args as its JSON body (the write
 * methods), or as a form (the read methods conversations.list and
 * conversations.history, which do not take JSON).  args is borrowed.
 */
struct http_request *slack_request(const char *method, const json_t *args);
struct http_request *slack_request_form(const char *method,
    const json_t *args);

/*
 * Read an answer to method: 0 when it is "ok": true, else -1 with why
 * reading "slack: METHOD: CAUSE", the cause being Slack's error code
 * (with "needed" scopes when given), the HTTP status or the transport
 * error.  *code (when not NULL) gets Slack's error code, or NULL; it is
 * borrowed from the response.
 */
int slack_result(const struct http_response *r, const char *method,
    const char **code, char *why, size_t whylen);

/*
 * In a conversations.list answer, the channel called name exactly
 * (borrowed), or NULL; *cursor gets the next page's cursor, NULL on the
 * last page.
 */
const json_t *slack_list_find(const json_t *answer, const char *name,
    const char **cursor);

/*
 * In a conversations.history answer (asked with include_all_metadata),
 * the message posted for incident id (borrowed), or NULL.  Its metadata's
 * event_payload holds the incident_id and the status it shows.
 */
const json_t *slack_history_find(const json_t *answer, const char *id);

/*
 * Templates: a JSON document whose strings hold {{name}} placeholders.
 * slack_fill() returns a copy with each placeholder replaced by vars'
 * string of that name ("" when absent); text in mrkdwn (any "text" not
 * inside a plain_text object) is escaped as Slack asks (&, <, >).  An
 * object or array element carrying "if": "name" is left out when that
 * variable is empty, and loses its "if" otherwise.  Texts are cut to
 * Slack's limits (150 characters in a header, 3000 elsewhere).
 */
json_t *slack_template_load(const char *path, char *err, size_t errlen);
json_t *slack_fill(const json_t *tmpl, const json_t *vars);

/*
 * Check a request Slack sent (protocols.md §1.7): signature is the
 * X-Slack-Signature header, "v0=" and the lowercase hex HMAC-SHA256 of
 * "v0:TIMESTAMP:BODY" keyed with the signing secret, timestamp the
 * X-Slack-Request-Timestamp header, which must be within
 * SLACK_SIG_WINDOW seconds of now.  body is the raw request body.
 * 0 when valid, else -1 with why (missing, stale, bad signature); the
 * comparison takes the same time however much of it matched.
 */
int slack_verify(const char *secret, const char *timestamp,
    const char *signature, const char *body, size_t len, time_t now,
    char *why, size_t whylen);

#endif
