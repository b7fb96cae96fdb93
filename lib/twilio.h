/*
 * twilio: what inc speaks of Twilio Programmable Voice (protocols.md §3):
 * the X-Twilio-Signature of its webhooks, TwiML documents, the Calls API,
 * and phone numbers masked for logs.
 *
 * Signatures follow Twilio's own validators (§3.4): HMAC-SHA1 keyed with
 * the auth token over the full URL and the form parameters sorted by name
 * then value (identical pairs once), in base64; the URL is tried as given,
 * without its port and with the scheme's default port, since Twilio may
 * sign either.  A JSON webhook is signed over the URL alone, which carries
 * bodySHA256, the hex SHA-256 of the body, checked too.  Comparisons take
 * the same time whatever the bytes.
 *
 * The Calls API client runs over lib/http with Basic auth
 * TWILIO_ACCOUNT_SID:TWILIO_AUTH_TOKEN at TWILIO_API_URL.  Creating a call
 * is not idempotent (Twilio has no idempotency key), so a create is sent
 * again only when Twilio cannot have acted on it: a 429 ("never processed,
 * always safe to retry", §3.1) and a connection that was never made.
 * After a request went out and its answer was lost, the outcome is
 * unknown and the caller is told so (TWILIO_UNSURE); it decides.
 *
 * What this module leaves to its callers: who to call and when, the store,
 * and turning a failure into a record's errors[] entry.
 */
#ifndef INC_TWILIO_H
#define INC_TWILIO_H

#include <stddef.h>
#include <jansson.h>

/* Signatures */

/* One form parameter as the webhook carried it. */
struct twilio_param {
	const char *name;
	const char *value;
};

#define TWILIO_SIG_LEN 29	/* base64 of 20 bytes, and a NUL */

/*
 * The signature of url and params (in any order) with token, into sig.
 * 0, or -1 on ENOMEM.
 */
int twilio_sign(const char *token, const char *url,
    const struct twilio_param *params, size_t n, char sig[TWILIO_SIG_LEN]);

/*
 * Whether signature is valid for a request to url: with body NULL, a form
 * request with its params; with a body, a JSON request whose url must
 * carry bodySHA256 of the body (params are then ignored).  1 valid, 0 not.
 */
int twilio_valid(const char *token, const char *url,
    const struct twilio_param *params, size_t n, const char *body,
    size_t bodylen, const char *signature);

/*
 * Split an application/x-www-form-urlencoded body into params, decoding
 * each name and value (+ is a space).  *params is one allocation holding
 * the strings too; free() it.  0, or -1 on ENOMEM.
 */
int twilio_form_parse(const char *body, size_t len,
    struct twilio_param **params, size_t *n);

/* The value of the first parameter called name, or NULL. */
const char *twilio_param(const struct twilio_param *params, size_t n,
    const char *name);

/* TwiML (§3.2) */

struct twilio_doc;

/* An empty <Response>; NULL on ENOMEM (later calls then do nothing). */
struct twilio_doc *twilio_doc_new(void);

/* <Say>text</Say>, text escaped for XML. */
void twilio_say(struct twilio_doc *d, const char *text);

/*
 * Open <Gather input="INPUT" action="URL" method="POST"...>: numdigits > 0
 * sets numDigits, timeout > 0 sets timeout (seconds); nest <Say>s, then
 * twilio_gather_end().
 */
void twilio_gather(struct twilio_doc *d, const char *input, int numdigits,
    int timeout, const char *action);
void twilio_gather_end(struct twilio_doc *d);

/* <Record action="URL" method="POST" maxLength="N" .../>. */
void twilio_record(struct twilio_doc *d, const char *action, int maxlength);

/* <Redirect method="POST">url</Redirect>, and <Hangup/>. */
void twilio_redirect(struct twilio_doc *d, const char *url);
void twilio_hangup(struct twilio_doc *d);

/*
 * Close the document and hand it over (NUL-terminated, *len bytes, free()
 * it); d is freed.  NULL when memory ran out at any step.
 */
char *twilio_doc_end(struct twilio_doc *d, size_t *len);

/* Append s to out, escaped for XML text and attributes; -1 on ENOMEM. */
int twilio_xml_escape(const char *s, char **out, size_t *len);

/* The Calls API (§3.1) */

struct twilio;

/*
 * A client from the settings (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN,
 * TWILIO_FROM, TWILIO_API_URL).  NULL with *configured = 0 when the SID or
 * the token is unset ("not configured", not an error); NULL with
 * *configured = 1 and a reason in err when a setting is bad.  A dry-run
 * client sends nothing and describes each request instead.
 */
struct twilio *twilio_new(int dry_run, int *configured, char *err,
    size_t errlen);
void twilio_free(struct twilio *tw);

/* What a call request came to. */
struct twilio_call {
	char sid[64];		/* "CA" + 32 hex; "" when none */
	char status[32];	/* Twilio's status: "queued"... */
	json_t *dry_run;	/* a dry run: the request, new reference */
};

#define TWILIO_UNSURE	(-2)	/* the request left, its answer did not
				   come: the call may exist */

/*
 * Ask Twilio to call to (E.164) from TWILIO_FROM, running twiml, with
 * status callbacks (initiated, ringing, answered, completed) to
 * status_cb when not NULL.  0 with out filled (a sid, or a dry run);
 * -1 with a reason when Twilio refused or could not be reached, naming
 * Twilio's code and message; TWILIO_UNSURE with a reason.  Numbers in the
 * reason are masked.
 */
int twilio_call(struct twilio *tw, const char *to, const char *twiml,
    const char *status_cb, struct twilio_call *out, char *err,
    size_t errlen);

/*
 * Check the credentials: GET the Account resource.  0 when they work, -1
 * when Twilio refused them, -2 when it could not be reached; the reason
 * in err.
 */
int twilio_check(struct twilio *tw, char *err, size_t errlen);

/* Phone numbers */

/*
 * number as logs may show it: the '+', the first digit and the last four,
 * the rest as '*' ("+1******4567"); short numbers keep only their last two
 * digits.  Writes at most len bytes, NUL included.
 */
void twilio_mask(const char *number, char *out, size_t len);

#endif
