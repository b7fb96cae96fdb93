/*
 * voice: the Twilio voice webhooks of inc-httpd (issue 7), kept here so
 * that its routes stay short: whether a request is Twilio's, the TwiML
 * each route answers, and the incident a phone report becomes.
 *
 * A webhook is Twilio's when its X-Twilio-Signature is valid for
 * INC_PUBLIC_URL + the path + the query + its form parameters, keyed with
 * TWILIO_AUTH_TOKEN (protocols.md §3.4).  The query is rebuilt from the
 * arguments libmicrohttpd parsed, percent-encoding all but unreserved
 * characters and ':': that is the URL Twilio was given for the routes inc
 * makes (?incident=ID), whatever proxy stands in between.
 *
 * A call to the inbound number is greeted and asked to describe the
 * incident: Twilio's own transcript (SpeechResult) goes to
 * /api/twilio/voice/inbound/speech, and a caller it heard nothing from is
 * recorded, the recording (RecordingUrl) going to .../inbound/recording as
 * an audio job for inc-stt.  Either way the report is one incident whose
 * id comes from the CallSid, so a webhook Twilio sends again is the same
 * report.
 */
#ifndef INC_VOICE_H
#define INC_VOICE_H

#include <stddef.h>
#include <jansson.h>

#include "twilio.h"

struct httpd_req;

/*
 * Check req's signature.  1 when valid, with the form parameters in
 * *params (free() them); 0 when not (or when token or public_url is
 * empty); -1 on ENOMEM.
 */
int voice_verify(const struct httpd_req *req, const char *public_url,
    const char *token, struct twilio_param **params, size_t *n);

/*
 * The person on the line, masked: To on a call inc placed (Direction
 * outbound-...), else From.
 */
void voice_party(const struct twilio_param *p, size_t n, char *out,
    size_t len);

/* The TwiML of the inbound number: a greeting, speech, then a recording. */
char *voice_greeting(const char *public_url);

/* The recording alone, for a caller whose speech was not understood. */
char *voice_record_prompt(const char *public_url);

/* Say text, then hang up. */
char *voice_say_bye(const char *text);

/* An empty <Response/> (status callbacks, whose body Twilio ignores). */
char *voice_empty(void);

/*
 * The incident a phone report makes: from SpeechResult (its description,
 * with Confidence in metadata), or from RecordingUrl (an audio job, no
 * description yet).  source is "phone:" and the caller masked; id
 * "phone-" and the CallSid.  NULL when the request carries neither.
 */
json_t *voice_report(const struct twilio_param *p, size_t n);

#endif
