#!/bin/sh
# Key 2 in an incident call rings the next number on INC_ONCALL at once, and only once: pressing 2 again in the same call rings nobody more.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102,+14155550103 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"k-2","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | inc-call | inc-store >/dev/null
sid=$(jq -r .answer.sid twilio.log)
start_httpd
set -- CallSid="$sid" AccountSid="$TWILIO_ACCOUNT_SID" From=+15005550006 \
	To=+14155550101 Direction=outbound-api CallStatus=in-progress Digits=2
test "$(hook '/api/twilio/voice/ack?incident=k-2' "$@")" = 200
grep -q '^text/xml' ctype
grep -q '<Say>[^<]*next person' body
test "$(lines twilio.log)" -eq 2
test "$(sed -n 2p twilio.log | jq -r '.form.To[0]')" = +14155550102
sed -n 2p twilio.log | jq -e '.form.Twiml[0] | contains("incident=k-2")' >/dev/null
inc-store get k-2 >stored
jqtest '.call.step == 2 and .call.to == "+1******0102" and .status == "open"' stored
# The same key again in the same call (or Twilio resending it).
test "$(hook '/api/twilio/voice/ack?incident=k-2' "$@")" = 200
test "$(lines twilio.log)" -eq 2
inc-store events k-2 | jq -c 'select(.type == "call") | .detail.step' >steps
printf '1\n2\n' >expect
cmp_expect expect steps
