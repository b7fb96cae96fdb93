/*
 * oncall: ringing the people on call for an incident, one after the other
 * (issue 7), for inc-call and for the Twilio routes of inc-httpd.
 *
 * The on-call list is INC_ONCALL, numbers in escalation order; step N is
 * a call to its N-th number.  The incident's timeline in the store is the
 * memory of who was rung: before dialling step N, a "call" event
 * {step, to (masked), at} is appended with store_event_once(), and only
 * the process that appended it dials.  A replayed record, a second
 * escalation timer or a keypad "2" racing it finds the step taken and
 * rings nobody.  What came of the dial follows as "call-placed" {step,
 * sid, status} or "call-failed" {step, error}; Twilio's progress reports
 * add "call-status" {sid, status}.  Escalation reads the same timeline:
 * the last step and when it was taken.
 *
 * Times are passed in by the caller (microseconds since the epoch), so a
 * test can run the escalation against a clock of its own.
 *
 * What this module leaves to its callers: reading records, errors[] and
 * exit statuses, and HTTP answers.
 */
#ifndef INC_ONCALL_H
#define INC_ONCALL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;
struct twilio;

#define ONCALL_MAX 32		/* numbers on the list */
#define ONCALL_ACK_TIMEOUT 300	/* seconds, INC_CALL_ACK_TIMEOUT */

struct oncall {
	char *numbers[ONCALL_MAX];	/* INC_ONCALL, in order */
	size_t n;
	char public_url[512];		/* INC_PUBLIC_URL, no final '/' */
	long ack_timeout;		/* seconds */
	struct twilio *tw;		/* borrowed */
	struct store *st;		/* borrowed; NULL: no memory */
	const char *actor;		/* who the timeline says acted */
	int dry_run;
	/* When set, called around each request to Twilio, so that a
	 * server's other requests run meanwhile (inc-httpd's handler lock);
	 * relock may change st, for the calls to the store after it. */
	void (*unlock)(struct oncall *oc);
	void (*relock)(struct oncall *oc);
	void *lock_arg;
};

/*
 * Read INC_ONCALL, INC_PUBLIC_URL and INC_CALL_ACK_TIMEOUT into oc, which
 * borrows tw and st.  0, or -1 with a reason for a bad setting (a number
 * that is not E.164, too many numbers, a public URL that is not http(s)).
 * An empty list is not an error: oc->n is 0.
 */
int oncall_init(struct oncall *oc, struct twilio *tw, struct store *st,
    int dry_run, char *err, size_t errlen);
void oncall_free(struct oncall *oc);

/* Whether an E.164 number: '+' and 8 to 15 digits. */
int oncall_number_valid(const char *s);

/*
 * The TwiML of a call about incident id: message when not NULL, else one
 * made of the record's id, severity and title; then a keypad menu whose
 * answers go to INC_PUBLIC_URL/api/twilio/voice/ack?incident=ID (1
 * acknowledge, 2 the next person, 9 repeat).  prefix, when not NULL, is
 * said first ("That key is not an option.").  free() it; NULL on ENOMEM.
 */
char *oncall_twiml(const struct oncall *oc, const char *id,
    const json_t *rec, const char *message, const char *prefix);

/* What the timeline says of the calls about an incident. */
struct oncall_state {
	int step;		/* the last step taken, 0 for none */
	int64_t at;		/* when (usec since the epoch) */
	char sid[64];		/* the call of that step, "" if unknown */
	char status[32];	/* its last status, "" if unknown */
};

/*
 * Read the timeline of incident id.  0; STORE_NOTFOUND when the store
 * does not hold it; -1 with a reason.
 */
int oncall_state(struct oncall *oc, const char *id, struct oncall_state *s,
    char *err, size_t errlen);

/*
 * Ring step (1..n) about rec at time now: take the step in the timeline,
 * dial, record the outcome.  *call is then the record's new `call` value
 * {sid, to, status, step, at} (new reference; with "dry_run" and the
 * request in *dry for a dry run).  Returns 1 when this call dialled, 0
 * when the step was taken before (*call is rebuilt from the timeline,
 * nobody is rung), -1 with a reason (the dial failed or its outcome is
 * unknown: *call says so too, status "failed" or "unknown"; or the store
 * failed: *call is NULL and nobody was rung).
 */
int oncall_ring(struct oncall *oc, const json_t *rec, int step, int64_t now,
    json_t **call, json_t **dry, char *err, size_t errlen);

/*
 * Escalate: ring the next step about rec when it is open, its last step
 * was taken ack_timeout ago or more, and the list goes on.  With from_sid
 * (a keypad "2" in that call), at once, provided the last step is still
 * that call.  Returns as oncall_ring(), or 0 with *call NULL and the
 * reason in err when there is nothing to do.
 */
int oncall_escalate(struct oncall *oc, const json_t *rec, int64_t now,
    const char *from_sid, json_t **call, json_t **dry, char *err,
    size_t errlen);

/*
 * Write rec with call as its `call` key to the store and commit.  0, or
 * -1 with a reason.
 */
int oncall_save(struct oncall *oc, const json_t *rec, json_t *call,
    char *err, size_t errlen);

/*
 * A call outside the list (one-off: a script, the dashboard): ring to
 * about incident id with message.  Recorded in the timeline ("call-placed"
 * with "oneoff") when the store holds the incident.  Returns as
 * oncall_ring() (never 0).
 */
int oncall_oneoff(struct oncall *oc, const char *id, const char *to,
    const char *severity, const char *message, int64_t now, json_t **call,
    json_t **dry, char *err, size_t errlen);

#endif
