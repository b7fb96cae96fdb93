/* voice: Twilio's voice webhooks for inc-httpd. */
#include "voice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "httpd.h"
#include "id.h"

#define MAX_URL 4096

struct query {
	char *p;
	size_t len, cap;
	int oom;
};

static void
q_put(struct query *q, const char *s, size_t n)
{
	if (q->oom || q->len + n + 1 > q->cap) {
		q->oom = 1;
		return;
	}
	memcpy(q->p + q->len, s, n);
	q->len += n;
	q->p[q->len] = '\0';
}

static void
q_enc(struct query *q, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = { '%', hex[c >> 4], hex[c & 15] };
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~:", c))
			q_put(q, s, 1);
		else
			q_put(q, e, 3);
	}
}

static enum MHD_Result
arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct query *q = cls;

	(void)kind;
	if (q->len && q->p[q->len - 1] != '?')
		q_put(q, "&", 1);
	q_enc(q, key);
	if (value) {
		q_put(q, "=", 1);
		q_enc(q, value);
	}
	return MHD_YES;
}

int
voice_verify(const struct httpd_req *req, const char *public_url,
    const char *token, struct twilio_param **params, size_t *n)
{
	const char *sig = httpd_header(req, "X-Twilio-Signature");
	char url[MAX_URL];
	struct query q = { url, 0, sizeof url, 0 };
	size_t base;

	*params = NULL;
	*n = 0;
	if (!sig || !token || !*token || !public_url || !*public_url)
		return 0;
	q_put(&q, public_url, strlen(public_url));
	q_put(&q, req->path, strlen(req->path));
	base = q.len;
	q_put(&q, "?", 1);
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, arg, &q);
	if (q.oom)
		return 0;
	if (q.len == base + 1)
		url[base] = '\0';	/* no query: no '?' either */
	if (twilio_form_parse(req->body, req->len, params, n) < 0)
		return -1;
	if (twilio_valid(token, url, *params, *n, NULL, 0, sig))
		return 1;
	free(*params);
	*params = NULL;
	*n = 0;
	return 0;
}

void
voice_party(const struct twilio_param *p, size_t n, char *out, size_t len)
{
	const char *dir = twilio_param(p, n, "Direction");
	const char *who = twilio_param(p, n, dir && strncmp(dir, "outbound",
	    8) == 0 ? "To" : "From");

	twilio_mask(who ? who : "", out, len);
	if (!out[0])
		snprintf(out, len, "unknown");
}

/* Ask for the report as a recording, after why (one sentence). */
static void
record_verbs(struct twilio_doc *d, const char *public_url, const char *why)
{
	char action[MAX_URL], say[256];

	snprintf(action, sizeof action, "%s/api/twilio/voice/inbound/recording",
	    public_url);
	snprintf(say, sizeof say, "%s Please describe the incident after the "
	    "beep, then hang up or press the pound key.", why);
	twilio_say(d, say);
	twilio_record(d, action, 120);
}

char *
voice_greeting(const char *public_url)
{
	struct twilio_doc *d = twilio_doc_new();
	char action[MAX_URL];

	snprintf(action, sizeof action, "%s/api/twilio/voice/inbound/speech",
	    public_url);
	twilio_gather(d, "speech", 0, 5, action);
	twilio_say(d, "You have reached the incident line. After this "
	    "message, say what is wrong: which system, what you see, and "
	    "since when.");
	twilio_gather_end(d);
	/* Twilio goes on to the next verb when it heard nothing. */
	record_verbs(d, public_url, "We did not hear you.");
	return twilio_doc_end(d, NULL);
}

char *
voice_record_prompt(const char *public_url)
{
	struct twilio_doc *d = twilio_doc_new();

	record_verbs(d, public_url, "Sorry, we did not understand.");
	return twilio_doc_end(d, NULL);
}

char *
voice_say_bye(const char *text)
{
	struct twilio_doc *d = twilio_doc_new();

	twilio_say(d, text);
	twilio_hangup(d);
	return twilio_doc_end(d, NULL);
}

char *
voice_empty(void)
{
	return twilio_doc_end(twilio_doc_new(), NULL);
}

json_t *
voice_report(const struct twilio_param *p, size_t n)
{
	const char *speech = twilio_param(p, n, "SpeechResult");
	const char *rec = twilio_param(p, n, "RecordingUrl");
	const char *sid = twilio_param(p, n, "CallSid");
	const char *conf = twilio_param(p, n, "Confidence");
	char who[40], source[64], id[ID_MAX + 1], title[160];
	json_t *r, *meta;

	if ((!speech || !*speech) && (!rec || !*rec))
		return NULL;
	voice_party(p, n, who, sizeof who);
	snprintf(source, sizeof source, "phone:%s", who);
	/* One call, one report, however often Twilio sends it. */
	if (sid && snprintf(id, sizeof id, "phone-%s", sid) < (int)sizeof id &&
	    id_valid(id))
		;
	else
		id_new(id, sizeof id);
	meta = json_pack("{s:s, s:s?}", "channel", "phone", "call_sid", sid);
	if (speech && *speech) {
		snprintf(title, sizeof title, "Phone report: %.120s%s", speech,
		    strlen(speech) > 120 ? "..." : "");
		if (conf && *conf)
			json_object_set_new(meta, "confidence",
			    json_real(strtod(conf, NULL)));
		r = json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", id, "title",
		    title, "description", speech, "source", source,
		    "metadata", meta);
	} else {
		const char *dur = twilio_param(p, n, "RecordingDuration");
		snprintf(title, sizeof title, "Phone report from %s", who);
		r = json_pack("{s:s, s:s, s:s, s:{s:s}, s:o}", "id", id,
		    "title", title, "source", source, "audio", "url", rec,
		    "metadata", meta);
		if (dur && *dur)
			json_object_set_new(json_object_get(r, "audio"),
			    "duration", json_integer(strtol(dur, NULL, 10)));
	}
	return r;
}
