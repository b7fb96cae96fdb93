#!/bin/sh
# Twilio's status callbacks (CallSid, CallStatus) go into the incident's timeline as call-status events, once each even when Twilio sends one again, and are answered with an empty TwiML document.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"p-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | inc-call | inc-store >/dev/null
sid=$(jq -r .answer.sid twilio.log)
start_httpd
for st in ringing in-progress completed; do
	test "$(hook '/api/twilio/voice/status?incident=p-1' CallSid="$sid" \
		AccountSid="$TWILIO_ACCOUNT_SID" From=+15005550006 To=+14155550101 \
		Direction=outbound-api CallStatus=$st CallDuration=12)" = 200
done
grep -q '^text/xml' ctype
grep -q '<Response></Response>' body
# Twilio retries a callback whose answer it did not get: one event still.
test "$(hook '/api/twilio/voice/status?incident=p-1' CallSid="$sid" \
	AccountSid="$TWILIO_ACCOUNT_SID" From=+15005550006 To=+14155550101 \
	Direction=outbound-api CallStatus=completed CallDuration=12)" = 200
inc-store events p-1 | jq -c 'select(.type == "call-status") | [.actor, .detail.sid, .detail.status]' >got
printf '["twilio","%s","%s"]\n' "$sid" ringing "$sid" in-progress "$sid" completed >expect
cmp_expect expect got
# A callback without CallStatus, or about an unknown incident, is refused.
test "$(hook '/api/twilio/voice/status?incident=p-1' CallSid="$sid")" = 400
test "$(hook '/api/twilio/voice/status?incident=nope-1' CallSid="$sid" CallStatus=busy)" = 404
