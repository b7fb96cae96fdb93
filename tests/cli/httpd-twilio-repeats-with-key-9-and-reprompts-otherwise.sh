#!/bin/sh
# Key 9 says the incident again with the same keypad menu; any other key, or none, says it is not an option and asks again; neither changes the incident.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"k-9","title":"Disk full on db-01","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | inc-call | inc-store >/dev/null
sid=$(jq -r .answer.sid twilio.log)
start_httpd
set -- CallSid="$sid" From=+15005550006 To=+14155550101 Direction=outbound-api
test "$(hook '/api/twilio/voice/ack?incident=k-9' "$@" Digits=9)" = 200
grep -q '^text/xml' ctype
grep -q '<Say>Incident k-9, severity HIGH: Disk full on db-01.</Say>' body
grep -q '<Gather input="dtmf" numDigits="1"[^>]*action="https://inc.example.com/api/twilio/voice/ack?incident=k-9"' body
! grep -q 'not an option' body
for d in 5 '*' ''; do
	test "$(hook '/api/twilio/voice/ack?incident=k-9' "$@" "Digits=$d")" = 200
	grep -q '<Say>Sorry, that key is not an option.</Say>' body || fail "key '$d': $(cat body)"
	grep -q '<Gather input="dtmf" numDigits="1"' body
done
inc-store get k-9 >stored
jqtest '.status == "open" and .call.step == 1' stored
test "$(lines twilio.log)" -eq 1
test -z "$(ls "$INC_STATE_DIR/spool/new")"
