#!/bin/sh
# inc-call --to NUMBER --incident ID --message TEXT rings that number once with the message and the keypad menu, prints the call as JSON, and notes it in the incident's timeline.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_PUBLIC_URL=https://inc.example.com
unset INC_ONCALL 2>/dev/null || true
printf '%s\n' '{"id":"o-1","title":"One","description":"d","severity":"LOW"}' |
	inc-ingest | inc-store >/dev/null
inc-call --to +14155550177 --incident o-1 --message 'Please join the bridge & call back' >out 2>err
test "$(lines twilio.log)" -eq 1
jq -e '.form.To == ["+14155550177"] and
	(.form.Twiml[0] | contains("<Say>Incident o-1: Please join the bridge &amp; call back</Say>")) and
	(.form.Twiml[0] | contains("action=\"https://inc.example.com/api/twilio/voice/ack?incident=o-1\""))' \
	twilio.log >/dev/null || fail "$(cat twilio.log)"
jqtest '.id == "o-1" and .call.to == "+1******0177" and (.call.sid | startswith("CA")) and .call.status == "queued"' out
inc-store events o-1 >events
jqtest 'select(.type == "call-placed") | .detail.oneoff == true and .detail.to == "+1******0177"' events
# An incident the store does not know is rung about all the same.
inc-call --to +14155550177 --incident elsewhere-1 --message 'Hello' >out 2>err
test "$(lines twilio.log)" -eq 2
# A number Twilio refuses: exit 65, the reason named.
start_twilio --invalid +14155550100
expect_code 65 inc-call --to +14155550100 --incident o-1 --message 'x' >out 2>err
grep -q 'code 21211' err
# Usage mistakes.
expect_code 64 inc-call --to +14155550177 --incident o-1 2>err
expect_code 64 inc-call --to 4155550177 --incident o-1 --message x 2>err
grep -q 'E.164' err
