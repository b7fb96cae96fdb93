/* twilio: webhook signatures, TwiML, the Calls API, masked numbers. */
#include "twilio.h"
#include "hex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "config.h"
#include "http.h"
#include "log.h"
#include "strbuf.h"

/* Signatures */

static int
cmp_param(const void *a, const void *b)
{
	const struct twilio_param *x = *(const struct twilio_param *const *)a;
	const struct twilio_param *y = *(const struct twilio_param *const *)b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

int
twilio_sign(const char *token, const char *url,
    const struct twilio_param *params, size_t n, char sig[TWILIO_SIG_LEN])
{
	const struct twilio_param **v = calloc(n ? n : 1, sizeof *v);
	struct strbuf b = { 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = &params[i];
	qsort(v, n, sizeof *v, cmp_param);
	strbuf_str(&b, url);
	for (size_t i = 0; i < n; i++) {
		/* A pair repeated whole counts once, as twilio-node signs it
		 * (the vector form-duplicate-values-repeated). */
		if (i > 0 && cmp_param(&v[i - 1], &v[i]) == 0)
			continue;
		strbuf_str(&b, v[i]->name);
		strbuf_str(&b, v[i]->value);
	}
	free(v);
	if (b.oom || !HMAC(EVP_sha1(), token, (int)strlen(token),
	    (const unsigned char *)(b.s ? b.s : ""), b.len, md, &mdlen)) {
		free(b.s);
		return -1;
	}
	free(b.s);
	EVP_EncodeBlock((unsigned char *)sig, md, (int)mdlen);
	return 0;
}

/*
 * Where the port of url's authority is: *colon at the ':' (or where one
 * would go, the end of the authority) and *end after the port digits.
 * -1 when url has no "scheme://".
 */
static int
port_span(const char *url, size_t *colon, size_t *end, int *has)
{
	const char *a = strstr(url, "://"), *host, *p, *e;

	if (!a)
		return -1;
	a += 3;
	e = a + strcspn(a, "/?#");
	host = a;
	for (p = a; p < e; p++)
		if (*p == '@')
			host = p + 1;
	p = host;
	if (*p == '[')
		while (p < e && *p != ']')
			p++;
	while (p < e && *p != ':')
		p++;
	*has = p < e;
	*colon = (size_t)(p - url);
	*end = (size_t)(e - url);
	return 0;
}

/* url without its port, or with the default one of its scheme. */
static char *
url_variant(const char *url, int with_port)
{
	size_t colon, end, ul = strlen(url);
	int has;
	char *out;

	if (port_span(url, &colon, &end, &has) < 0)
		return NULL;
	if (!with_port) {
		if (!has)
			return NULL;
		if (!(out = malloc(ul + 1)))
			return NULL;
		memcpy(out, url, colon);
		memcpy(out + colon, url + end, ul - end + 1);
		return out;
	}
	if (has)
		return NULL;
	const char *port = strncmp(url, "https:", 6) == 0 ? ":443" :
	    strncmp(url, "http:", 5) == 0 ? ":80" : NULL;
	if (!port || !(out = malloc(ul + 5)))
		return NULL;
	memcpy(out, url, colon);
	strcpy(out + colon, port);
	strcat(out, url + colon);
	return out;
}

static int
same_sig(const char *want, const char *got)
{
	/* The length of a signature is no secret; its bytes are. */
	return strlen(got) == strlen(want) &&
	    CRYPTO_memcmp(want, got, strlen(want)) == 0;
}

/* The bodySHA256 value of url's query, or NULL; *len its length. */
static const char *
body_hash_param(const char *url, size_t *len)
{
	const char *q = strchr(url, '?');

	while (q) {
		q++;
		if (strncmp(q, "bodySHA256=", 11) == 0) {
			*len = strcspn(q + 11, "&#");
			return q + 11;
		}
		q = strchr(q, '&');
	}
	return NULL;
}

int
twilio_valid(const char *token, const char *url,
    const struct twilio_param *params, size_t n, const char *body,
    size_t bodylen, const char *signature)
{
	char sig[TWILIO_SIG_LEN], hex[2 * 32 + 1];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int ok = 0;

	if (!token || !url || !signature)
		return 0;
	if (body) {
		size_t hl = 0;
		const char *h = body_hash_param(url, &hl);
		if (!h || hl != 64 || !EVP_Digest(body, bodylen, md, &mdlen,
		    EVP_sha256(), NULL))
			return 0;
		for (unsigned i = 0; i < mdlen; i++)
			snprintf(hex + 2 * i, 3, "%02x", md[i]);
		if (CRYPTO_memcmp(hex, h, 64) != 0)
			return 0;
		/* A JSON webhook signs the URL alone. */
		n = 0;
	}
	for (int i = 0; i < 3 && !ok; i++) {
		char *u = i == 0 ? (char *)url : url_variant(url, i == 2);
		if (!u)
			continue;
		if (twilio_sign(token, u, params, n, sig) == 0)
			ok = same_sig(sig, signature);
		if (u != url)
			free(u);
	}
	return ok;
}

/* Decode n bytes of s into d (which has room): %XX, and + as a space. */
static char *
decode_into(const char *s, size_t n, char *d)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '+')
			*d++ = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    (hi = hex_digit(s[i + 1])) >= 0 &&
		    (lo = hex_digit(s[i + 2])) >= 0) {
			*d++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*d++ = s[i];
	}
	*d++ = '\0';
	return d;
}

int
twilio_form_parse(const char *body, size_t len,
    struct twilio_param **params, size_t *n)
{
	size_t count = 0, i;
	struct twilio_param *p;
	char *d;

	for (i = 0; i < len; i++)
		if (body[i] == '&')
			count++;
	count++;
	/* Decoded text is never longer than the body: one block holds all. */
	if (!(p = malloc(count * sizeof *p + len + 2 * count)))
		return -1;
	d = (char *)(p + count);
	*n = 0;
	for (i = 0; i < len;) {
		size_t e = i, eq;
		while (e < len && body[e] != '&')
			e++;
		if (e > i) {
			for (eq = i; eq < e && body[eq] != '='; eq++)
				;
			p[*n].name = d;
			d = decode_into(body + i, eq - i, d);
			p[*n].value = d;
			d = decode_into(body + (eq < e ? eq + 1 : e),
			    eq < e ? e - eq - 1 : 0, d);
			(*n)++;
		}
		i = e + 1;
	}
	*params = p;
	return 0;
}

const char *
twilio_param(const struct twilio_param *params, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(params[i].name, name) == 0)
			return params[i].value;
	return NULL;
}

/* TwiML */

struct twilio_doc {
	struct strbuf b;
};

int
twilio_xml_escape(const char *s, char **out, size_t *len)
{
	struct strbuf b = { .s = *out, .len = *len, .cap = *out ? *len + 1 :
	    0 };

	for (; *s; s++) {
		switch (*s) {
		case '<': strbuf_str(&b, "&lt;"); break;
		case '>': strbuf_str(&b, "&gt;"); break;
		case '&': strbuf_str(&b, "&amp;"); break;
		case '"': strbuf_str(&b, "&quot;"); break;
		case '\'': strbuf_str(&b, "&apos;"); break;
		default:
			/* XML 1.0 has no place for the other C0 controls. */
			if ((unsigned char)*s < 0x20 && *s != '\t' &&
			    *s != '\n' && *s != '\r')
				strbuf_put(&b, " ", 1);
			else
				strbuf_put(&b, s, 1);
		}
	}
	*out = b.s;
	*len = b.len;
	return b.oom ? -1 : 0;
}

static void
esc(struct twilio_doc *d, const char *s)
{
	if (!d->b.oom && twilio_xml_escape(s, &d->b.s, &d->b.len) < 0)
		d->b.oom = 1;
	/* The escape grew the buffer on its own terms. */
	d->b.cap = d->b.s ? d->b.len + 1 : 0;
}

struct twilio_doc *
twilio_doc_new(void)
{
	struct twilio_doc *d = calloc(1, sizeof *d);

	if (d)
		strbuf_str(&d->b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		    "<Response>");
	return d;
}

void
twilio_say(struct twilio_doc *d, const char *text)
{
	if (!d)
		return;
	strbuf_str(&d->b, "<Say>");
	esc(d, text);
	strbuf_str(&d->b, "</Say>");
}

void
twilio_gather(struct twilio_doc *d, const char *input, int numdigits,
    int timeout, const char *action)
{
	if (!d)
		return;
	strbuf_str(&d->b, "<Gather input=\"");
	esc(d, input);
	strbuf_str(&d->b, "\"");
	if (numdigits > 0)
		strbuf_fmt(&d->b, " numDigits=\"%d\"", numdigits);
	if (timeout > 0)
		strbuf_fmt(&d->b, " timeout=\"%d\"", timeout);
	strbuf_str(&d->b, " action=\"");
	esc(d, action);
	strbuf_str(&d->b, "\" method=\"POST\">");
}

void
twilio_gather_end(struct twilio_doc *d)
{
	if (d)
		strbuf_str(&d->b, "</Gather>");
}

void
twilio_record(struct twilio_doc *d, const char *action, int maxlength)
{
	if (!d)
		return;
	strbuf_str(&d->b, "<Record action=\"");
	esc(d, action);
	strbuf_str(&d->b, "\" method=\"POST\"");
	if (maxlength > 0)
		strbuf_fmt(&d->b, " maxLength=\"%d\"", maxlength);
	strbuf_str(&d->b, " playBeep=\"true\"/>");
}

void
twilio_redirect(struct twilio_doc *d, const char *url)
{
	if (!d)
		return;
	strbuf_str(&d->b, "<Redirect method=\"POST\">");
	esc(d, url);
	strbuf_str(&d->b, "</Redirect>");
}

void
twilio_hangup(struct twilio_doc *d)
{
	if (d)
		strbuf_str(&d->b, "<Hangup/>");
}

char *
twilio_doc_end(struct twilio_doc *d, size_t *len)
{
	char *p;

	if (!d)
		return NULL;
	strbuf_str(&d->b, "</Response>");
	p = d->b.s;
	if (d->b.oom) {
		free(p);
		p = NULL;
	} else if (len)
		*len = d->b.len;
	free(d);
	return p;
}

/* The Calls API */

struct twilio {
	struct http_client *http;
	char *sid;
	const char *from;
	char calls[128], account[128];	/* the two paths used */
};

void
twilio_free(struct twilio *tw)
{
	if (!tw)
		return;
	http_client_free(tw->http);
	free(tw->sid);
	free(tw);
}

struct twilio *
twilio_new(int dry_run, int *configured, char *err, size_t errlen)
{
	const char *sid = config_get("TWILIO_ACCOUNT_SID", NULL);
	const char *token = config_get("TWILIO_AUTH_TOKEN", NULL);
	const char *url = config_get("TWILIO_API_URL",
	    "https://api.twilio.com");
	struct twilio *tw;

	*configured = sid && token;
	if (!*configured)
		return NULL;
	/* The SID goes into the path: letters and digits only. */
	if (strlen(sid) > 64 || sid[strspn(sid, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")] != '\0') {
		snprintf(err, errlen, "TWILIO_ACCOUNT_SID: not an account "
		    "SID (letters and digits)");
		return NULL;
	}
	if (!(tw = calloc(1, sizeof *tw)) || !(tw->sid = strdup(sid))) {
		free(tw);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!(tw->http = http_client_new(url))) {
		snprintf(err, errlen, errno == ENOSYS ? "twilio needs libcurl "
		    "(libcurl4), which is not installed" : "TWILIO_API_URL: "
		    "not an http(s) URL");
		twilio_free(tw);
		return NULL;
	}
	if (http_client_set_basic(tw->http, sid, token) < 0) {
		snprintf(err, errlen, "TWILIO_AUTH_TOKEN: not usable");
		twilio_free(tw);
		return NULL;
	}
	tw->from = config_get("TWILIO_FROM", NULL);
	http_client_set_timeouts(tw->http, 5000, 15000);
	http_client_set_dry_run(tw->http, dry_run);
	snprintf(tw->calls, sizeof tw->calls, "/2010-04-01/Accounts/%s/"
	    "Calls.json", sid);
	snprintf(tw->account, sizeof tw->account, "/2010-04-01/Accounts/"
	    "%s.json", sid);
	return tw;
}

/* Twilio's error body (§3.1) as a reason: HTTP, code, message, link. */
static void
twilio_error(const struct http_response *r, const char *what, char *err,
    size_t errlen)
{
	const json_t *j = r->json;
	json_int_t code = json_integer_value(json_object_get(j, "code"));
	const char *m = json_string_value(json_object_get(j, "message"));
	const char *more = json_string_value(json_object_get(j,
	    "more_info"));

	if (code)
		snprintf(err, errlen, "%s: HTTP %ld, code %lld: %.200s%s%.100s"
		    "%s", what, r->status, (long long)code, m ? m : "",
		    more ? " (" : "", more ? more : "", more ? ")" : "");
	else
		snprintf(err, errlen, "%s: HTTP %ld%s%.200s", what, r->status,
		    m ? ": " : "", m ? m : "");
	log_redact(err);
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#define CALL_ATTEMPTS 4
#define CALL_MAX_WAIT_MS 20000

int
twilio_call(struct twilio *tw, const char *to, const char *twiml,
    const char *status_cb, struct twilio_call *out, char *err,
    size_t errlen)
{
	static const char *events[] = { "initiated", "ringing", "answered",
	    "completed" };
	long waited = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!tw->from) {
		snprintf(err, errlen, "TWILIO_FROM is not set: no number to "
		    "call from");
		return -1;
	}
	for (int attempt = 1; attempt <= CALL_ATTEMPTS; attempt++) {
		struct http_request *req = http_request_new("POST", tw->calls);
		const struct http_response *r;
		long delay;

		http_request_form(req, "To", to);
		http_request_form(req, "From", tw->from);
		http_request_form(req, "Twiml", twiml);
		if (status_cb) {
			http_request_form(req, "StatusCallback", status_cb);
			http_request_form(req, "StatusCallbackMethod",
			    "POST");
			for (size_t i = 0; i < 4; i++)
				http_request_form(req, "StatusCallbackEvent",
				    events[i]);
		}
		/* lib/http would retry a timeout or a reset too, and a
		 * second create is a second phone ringing: the retries
		 * that are safe are decided here. */
		http_request_set_attempts(req, 1);
		http_run(tw->http, req);
		r = http_request_response(req);
		if (r->dry_run) {
			out->dry_run = json_incref(r->dry_run);
			http_request_free(req);
			return 0;
		}
		delay = -1;
		if (r->err == -ECONNREFUSED || r->err == -EHOSTUNREACH) {
			/* Nothing reached Twilio. */
			snprintf(err, errlen, "Twilio unreachable: %s",
			    r->error ? r->error : "no connection");
			delay = http_backoff_ms(HTTP_BACKOFF_BASE_MS,
			    HTTP_BACKOFF_CAP_MS, attempt, (double)rand() /
			    RAND_MAX);
			rc = -1;
		} else if (r->err) {
			snprintf(err, errlen, "no answer from Twilio after "
			    "the request was sent (%s): the call may have "
			    "been placed, so it is not requested again",
			    r->error ? r->error : "failed");
			rc = TWILIO_UNSURE;
		} else if (r->status == 201 || r->status == 200) {
			const char *sid = json_string_value(json_object_get(
			    r->json, "sid"));
			const char *st = json_string_value(json_object_get(
			    r->json, "status"));
			if (!sid || strncmp(sid, "CA", 2) != 0) {
				snprintf(err, errlen, "Twilio answered HTTP %ld"
				    " without a call sid", r->status);
				rc = TWILIO_UNSURE;
			} else {
				snprintf(out->sid, sizeof out->sid, "%s", sid);
				snprintf(out->status, sizeof out->status,
				    "%s", st ? st : "queued");
				rc = 0;
			}
		} else if (r->status == 429) {
			twilio_error(r, "Twilio is rate limiting", err,
			    errlen);
			delay = r->retry_after_ms >= 0 ? r->retry_after_ms :
			    http_backoff_ms(HTTP_BACKOFF_BASE_MS,
			    HTTP_BACKOFF_CAP_MS, attempt, (double)rand() /
			    RAND_MAX);
			rc = -1;
		} else if (r->status >= 500) {
			/* A 5xx may come after the call was made. */
			twilio_error(r, "Twilio failed (the call may have "
			    "been placed, so it is not requested again)", err,
			    errlen);
			rc = TWILIO_UNSURE;
		} else {
			twilio_error(r, r->status == 401 ? "Twilio refused "
			    "the credentials" : "Twilio refused the call",
			    err, errlen);
			rc = -1;
		}
		http_request_free(req);
		if (delay < 0 || attempt == CALL_ATTEMPTS ||
		    waited + delay > CALL_MAX_WAIT_MS)
			break;
		nap(delay);
		waited += delay;
	}
	return rc;
}

int
twilio_check(struct twilio *tw, char *err, size_t errlen)
{
	struct http_request *req = http_request_new("GET", tw->account);
	const struct http_response *r;
	int rc;

	http_run(tw->http, req);
	r = http_request_response(req);
	if (r->dry_run) {
		rc = 0;
	} else if (r->err) {
		snprintf(err, errlen, "Twilio unreachable: %s", r->error ?
		    r->error : "failed");
		rc = -2;
	} else if (r->status == 200) {
		rc = 0;
	} else if (r->status >= 500 || r->status == 429) {
		twilio_error(r, "Twilio failed", err, errlen);
		rc = -2;
	} else {
		twilio_error(r, "Twilio refused the credentials", err,
		    errlen);
		rc = -1;
	}
	http_request_free(req);
	return rc;
}

/* Phone numbers */

void
twilio_mask(const char *number, char *out, size_t len)
{
	size_t digits = 0, seen = 0, o = 0;

	if (!len)
		return;
	for (const char *p = number; *p; p++)
		if (*p >= '0' && *p <= '9')
			digits++;
	for (const char *p = number; *p && o + 1 < len; p++) {
		int digit = *p >= '0' && *p <= '9';
		int keep;
		if (!digit) {
			/* Only a leading '+' says anything useful. */
			if (p == number && *p == '+')
				out[o++] = '+';
			continue;
		}
		seen++;
		keep = digits >= 7 ? seen == 1 || seen + 4 > digits :
		    seen + 2 > digits;
		out[o++] = keep ? *p : '*';
	}
	out[o] = '\0';
}
