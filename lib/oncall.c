/* oncall: who is rung about an incident, remembered in its timeline. */
#include "oncall.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "record.h"
#include "rfc3339.h"
#include "store.h"
#include "twilio.h"

int
oncall_number_valid(const char *s)
{
	size_t n;

	if (*s++ != '+')
		return 0;
	n = strspn(s, "0123456789");
	return s[n] == '\0' && n >= 8 && n <= 15 && s[0] != '0';
}

void
oncall_free(struct oncall *oc)
{
	for (size_t i = 0; i < oc->n; i++)
		free(oc->numbers[i]);
	oc->n = 0;
}

int
oncall_init(struct oncall *oc, struct twilio *tw, struct store *st,
    int dry_run, char *err, size_t errlen)
{
	const char *list = config_get("INC_ONCALL", "");
	const char *pub = config_get("INC_PUBLIC_URL", "");
	size_t l;

	memset(oc, 0, sizeof *oc);
	oc->tw = tw;
	oc->st = st;
	oc->dry_run = dry_run;
	oc->actor = "inc-call";
	if (config_long("INC_CALL_ACK_TIMEOUT", ONCALL_ACK_TIMEOUT, 10,
	    7 * 86400, &oc->ack_timeout, err, errlen) < 0)
		return -1;
	if (*pub && strncmp(pub, "https://", 8) != 0 &&
	    strncmp(pub, "http://", 7) != 0) {
		snprintf(err, errlen, "INC_PUBLIC_URL: not an http(s) URL");
		return -1;
	}
	snprintf(oc->public_url, sizeof oc->public_url, "%s", pub);
	l = strlen(oc->public_url);
	while (l > 0 && oc->public_url[l - 1] == '/')
		oc->public_url[--l] = '\0';
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		char num[64];
		size_t k = 0;

		/* People write numbers with spaces and dashes: keep what
		 * E.164 has. */
		for (size_t i = 0; i < n && k + 1 < sizeof num; i++)
			if (p[i] == '+' || (p[i] >= '0' && p[i] <= '9'))
				num[k++] = p[i];
		num[k] = '\0';
		if (k > 0) {
			if (!oncall_number_valid(num)) {
				char m[32];
				twilio_mask(num, m, sizeof m);
				snprintf(err, errlen, "INC_ONCALL: %s: not an "
				    "E.164 number (+ and 8 to 15 digits)", m);
				oncall_free(oc);
				return -1;
			}
			if (oc->n == ONCALL_MAX) {
				snprintf(err, errlen, "INC_ONCALL: more than %d "
				    "numbers", ONCALL_MAX);
				oncall_free(oc);
				return -1;
			}
			if (!(oc->numbers[oc->n++] = strdup(num))) {
				snprintf(err, errlen, "out of memory");
				oncall_free(oc);
				return -1;
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* The sentence that says what the incident is. */
static void
describe(const char *id, const json_t *rec, char *out, size_t len)
{
	const char *sev = record_str(rec, "severity");
	const char *title = record_str(rec, "title");

	if (!title || !*title)
		title = record_str(rec, "description");
	snprintf(out, len, "Incident %s, severity %s: %.300s.", id,
	    sev ? sev : "unknown", title ? title : "no title");
}

char *
oncall_twiml(const struct oncall *oc, const char *id, const json_t *rec,
    const char *message, const char *prefix)
{
	static const char menu[] = "Press 1 to acknowledge. Press 2 to "
	    "escalate to the next person on call. Press 9 to hear this "
	    "again.";
	struct twilio_doc *d = twilio_doc_new();
	char action[sizeof oc->public_url + 300], text[600];

	snprintf(action, sizeof action, "%s/api/twilio/voice/ack?incident=%s",
	    oc->public_url, id);
	if (message) {
		const char *sev = record_str(rec, "severity");
		snprintf(text, sizeof text, "Incident %s%s%s: %.400s", id,
		    sev ? ", severity " : "", sev ? sev : "", message);
	} else
		describe(id, rec, text, sizeof text);
	if (prefix)
		twilio_say(d, prefix);
	twilio_gather(d, "dtmf", 1, 8, action);
	twilio_say(d, text);
	twilio_say(d, menu);
	twilio_gather_end(d);
	/* A second chance for someone who picked up late. */
	twilio_gather(d, "dtmf", 1, 8, action);
	twilio_say(d, menu);
	twilio_gather_end(d);
	twilio_say(d, "No key was pressed. Goodbye.");
	twilio_hangup(d);
	return twilio_doc_end(d, NULL);
}

/* Reading the timeline */

struct walk {
	struct oncall_state *s;
};

static int
state_event(const json_t *ev, void *arg)
{
	struct oncall_state *s = ((struct walk *)arg)->s;
	const char *type = record_str(ev, "type");
	const json_t *d = json_object_get(ev, "detail");
	int step = (int)json_integer_value(json_object_get(d, "step"));
	const char *sid = record_str(d, "sid"), *st = record_str(d, "status");
	int64_t at;

	if (!type)
		return 0;
	if (strcmp(type, "call") == 0 && step > s->step) {
		s->step = step;
		if (rfc3339_parse(record_str(d, "at") ? record_str(d, "at") :
		    "", &at) < 0 && rfc3339_parse(record_str(ev, "at") ?
		    record_str(ev, "at") : "", &at) < 0)
			at = 0;
		s->at = at;
		s->sid[0] = s->status[0] = '\0';
	} else if (strcmp(type, "call-placed") == 0 && step == s->step &&
	    sid) {
		snprintf(s->sid, sizeof s->sid, "%s", sid);
		snprintf(s->status, sizeof s->status, "%s", st ? st : "");
	} else if (strcmp(type, "call-failed") == 0 && step == s->step) {
		snprintf(s->status, sizeof s->status, "%s", st ? st :
		    "failed");
	} else if (strcmp(type, "call-status") == 0 && sid && st &&
	    strcmp(sid, s->sid) == 0) {
		snprintf(s->status, sizeof s->status, "%s", st);
	}
	return 0;
}

int
oncall_state(struct oncall *oc, const char *id, struct oncall_state *s,
    char *err, size_t errlen)
{
	struct walk w = { s };
	int rc;

	memset(s, 0, sizeof *s);
	if (!oc->st)
		return STORE_NOTFOUND;
	rc = store_events(oc->st, id, state_event, &w, err, errlen);
	return rc == STORE_NOTFOUND ? rc : rc < 0 ? -1 : 0;
}

/* Ringing */

/* Best effort: the "call" event is what keeps a step from ringing twice;
 * these only tell what came of it. */
static void
note(struct oncall *oc, const char *id, const char *type, json_t *detail)
{
	char err[256];

	if (oc->st && !oc->dry_run)
		store_event_once(oc->st, id, type, oc->actor, detail, NULL,
		    err, sizeof err);
	else
		json_decref(detail);
}

static int
dial(struct oncall *oc, const char *id, const char *to, const char *twiml,
    json_t *call, json_t **dry, char *err, size_t errlen)
{
	struct twilio_call out;
	char cb[sizeof oc->public_url + 300];
	int rc;

	snprintf(cb, sizeof cb, "%s/api/twilio/voice/status?incident=%s",
	    oc->public_url, id);
	if (oc->unlock)
		oc->unlock(oc);
	rc = twilio_call(oc->tw, to, twiml, cb, &out, err, errlen);
	if (oc->relock)
		oc->relock(oc);
	if (rc == 0 && out.dry_run) {
		if (dry)
			*dry = out.dry_run;
		else
			json_decref(out.dry_run);
		json_object_set_new(call, "status", json_string("dry-run"));
		json_object_set_new(call, "dry_run", json_true());
		return 1;
	}
	if (rc == 0) {
		json_object_set_new(call, "sid", json_string(out.sid));
		json_object_set_new(call, "status", json_string(out.status));
		return 1;
	}
	json_object_set_new(call, "status", json_string(rc == TWILIO_UNSURE ?
	    "unknown" : "failed"));
	return -1;
}

int
oncall_ring(struct oncall *oc, const json_t *rec, int step, int64_t now,
    json_t **call, json_t **dry, char *err, size_t errlen)
{
	const char *id = record_str(rec, "id");
	char masked[32], at[RFC3339_LEN];
	char *twiml;
	int rc;

	*call = NULL;
	if (dry)
		*dry = NULL;
	if (!id || step < 1 || (size_t)step > oc->n) {
		snprintf(err, errlen, "no step %d on the on-call list", step);
		return -1;
	}
	twilio_mask(oc->numbers[step - 1], masked, sizeof masked);
	rfc3339_format(now, at, sizeof at);
	if (oc->st && !oc->dry_run) {
		rc = store_event_once(oc->st, id, "call", oc->actor,
		    json_pack("{s:i, s:s, s:s}", "step", step, "to", masked,
		    "at", at), "step", err, errlen);
		if (rc == 0) {
			struct oncall_state s;
			char e2[256];
			/* Taken before: rung by an earlier pass or another
			 * process, and perhaps escalated since.  Say what the
			 * timeline knows of the last call. */
			if (oncall_state(oc, id, &s, e2, sizeof e2) < 0 ||
			    s.step < 1)
				s = (struct oncall_state){ .step = step,
				    .at = now };
			if ((size_t)s.step <= oc->n)
				twilio_mask(oc->numbers[s.step - 1], masked,
				    sizeof masked);
			rfc3339_format(s.at, at, sizeof at);
			*call = json_pack("{s:s, s:s, s:i, s:s}", "to", masked,
			    "status", s.status[0] ? s.status : "unknown",
			    "step", s.step, "at", at);
			if (s.sid[0])
				json_object_set_new(*call, "sid",
				    json_string(s.sid));
			return 0;
		}
		if (rc < 0 && rc != STORE_NOTFOUND)
			return -1;
		/* STORE_NOTFOUND: an incident outside the store (inc-call
		 * run by hand on a file) has no memory to keep. */
	}
	if (!(twiml = oncall_twiml(oc, id, rec, NULL, NULL))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*call = json_pack("{s:s, s:i, s:s}", "to", masked, "step", step, "at",
	    at);
	rc = dial(oc, id, oc->numbers[step - 1], twiml, *call, dry, err,
	    errlen);
	free(twiml);
	if (rc > 0)
		note(oc, id, "call-placed", json_pack("{s:i, s:O, s:O}",
		    "step", step, "sid", json_object_get(*call, "sid") ?
		    json_object_get(*call, "sid") : json_null(), "status",
		    json_object_get(*call, "status")));
	else
		note(oc, id, "call-failed", json_pack("{s:i, s:O, s:s}",
		    "step", step, "status", json_object_get(*call, "status"),
		    "error", err));
	return rc;
}

int
oncall_escalate(struct oncall *oc, const json_t *rec, int64_t now,
    const char *from_sid, json_t **call, json_t **dry, char *err,
    size_t errlen)
{
	const char *id = record_str(rec, "id");
	const char *status = record_str(rec, "status");
	struct oncall_state s;
	int rc;

	*call = NULL;
	if (dry)
		*dry = NULL;
	if (!id) {
		snprintf(err, errlen, "no id");
		return 0;
	}
	if (status && strcmp(status, "open") != 0) {
		snprintf(err, errlen, "%s", status);
		return 0;
	}
	rc = oncall_state(oc, id, &s, err, errlen);
	if (rc == STORE_NOTFOUND) {
		snprintf(err, errlen, "not in the store");
		return 0;
	}
	if (rc < 0)
		return -1;
	if (s.step == 0) {
		snprintf(err, errlen, "never called");
		return 0;
	}
	/* A keypad "2" escalates once: from the call it was pressed in,
	 * not again from the call it started. */
	if (from_sid && s.sid[0] && strcmp(from_sid, s.sid) != 0) {
		snprintf(err, errlen, "already escalated past that call");
		return 0;
	}
	if (!from_sid && now - s.at < (int64_t)oc->ack_timeout * 1000000) {
		snprintf(err, errlen, "not due");
		return 0;
	}
	if ((size_t)s.step >= oc->n) {
		snprintf(err, errlen, "end of the on-call list (%d called)",
		    s.step);
		return 0;
	}
	return oncall_ring(oc, rec, s.step + 1, now, call, dry, err, errlen);
}

static void
saved(const struct store_result *res, void *arg)
{
	*(int *)arg = res->stored;
}

int
oncall_save(struct oncall *oc, const json_t *rec, json_t *call, char *err,
    size_t errlen)
{
	json_t *copy;
	int stored = 0;

	if (!oc->st || oc->dry_run)
		return 0;
	if (!(copy = json_copy((json_t *)rec))) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_object_set(copy, "call", call);
	store_put(oc->st, copy, 0);
	json_decref(copy);
	if (store_commit(oc->st, saved, &stored, err, errlen) < 0)
		return -1;
	if (!stored) {
		snprintf(err, errlen, "not stored");
		return -1;
	}
	return 0;
}

int
oncall_oneoff(struct oncall *oc, const char *id, const char *to,
    const char *severity, const char *message, int64_t now, json_t **call,
    json_t **dry, char *err, size_t errlen)
{
	char masked[32], at[RFC3339_LEN];
	json_t *rec = json_pack("{s:s}", "id", id);
	char *twiml;
	int rc;

	*call = NULL;
	if (dry)
		*dry = NULL;
	if (severity)
		json_object_set_new(rec, "severity", json_string(severity));
	twiml = oncall_twiml(oc, id, rec, message, NULL);
	json_decref(rec);
	if (!twiml) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	twilio_mask(to, masked, sizeof masked);
	rfc3339_format(now, at, sizeof at);
	*call = json_pack("{s:s, s:s}", "to", masked, "at", at);
	rc = dial(oc, id, to, twiml, *call, dry, err, errlen);
	free(twiml);
	if (rc > 0)
		note(oc, id, "call-placed", json_pack("{s:b, s:s, s:O, s:O}",
		    "oneoff", 1, "to", masked, "sid", json_object_get(*call,
		    "sid") ? json_object_get(*call, "sid") : json_null(),
		    "status", json_object_get(*call, "status")));
	else
		note(oc, id, "call-failed", json_pack("{s:b, s:s, s:s}",
		    "oneoff", 1, "to", masked, "error", err));
	return rc;
}
