#!/bin/sh
# POST /api/twilio/outbound/call/incident-notification ({toPhoneNumber, incidentId, severity, message}, bearer-protected like the rest of /api/) places one call with that message and answers with its sid.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_PUBLIC_URL=https://inc.example.com
printf 's3cret' | sha256sum | cut -d' ' -f1 >tokens
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
body='{"toPhoneNumber":"+14155550188","incidentId":"n-1","severity":"HIGH","message":"Checkout is failing"}'
test "$(post /api/twilio/outbound/call/incident-notification "$body")" = 401
must_be_empty twilio.log
code=$(req POST /api/twilio/outbound/call/incident-notification -H 'Authorization: Bearer s3cret' \
	-H 'Content-Type: application/json' --data-binary "$body")
test "$code" = 200 || fail "answered $code: $(cat body)"
sid=$(jq -r .answer.sid twilio.log)
jqtest ".callSid == \"$sid\" and .status == \"queued\" and .to == \"+1******0188\" and .incidentId == \"n-1\"" body
jq -e '.form.To == ["+14155550188"] and
	(.form.Twiml[0] | contains("<Say>Incident n-1, severity HIGH: Checkout is failing</Say>")) and
	(.form.StatusCallback[0] == "https://inc.example.com/api/twilio/voice/status?incident=n-1")' \
	twilio.log >/dev/null || fail "$(cat twilio.log)"
# Bad requests are refused before anything is sent.
for b in '{"toPhoneNumber":"555","incidentId":"n-1","message":"x"}' \
    '{"toPhoneNumber":"+14155550188","incidentId":"bad id","message":"x"}' \
    '{"toPhoneNumber":"+14155550188","incidentId":"n-1"}'; do
	test "$(req POST /api/twilio/outbound/call/incident-notification \
		-H 'Authorization: Bearer s3cret' -H 'Content-Type: application/json' \
		--data-binary "$b")" = 400 || fail "$b: $(cat body)"
done
test "$(lines twilio.log)" -eq 1
# Twilio refusing the number: 502 with its reason.
start_twilio --invalid +14155550199
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
code=$(req POST /api/twilio/outbound/call/incident-notification -H 'Authorization: Bearer s3cret' \
	-H 'Content-Type: application/json' \
	--data-binary '{"toPhoneNumber":"+14155550199","incidentId":"n-1","message":"x"}')
test "$code" = 502 || fail "answered $code"
jqtest '.error | test("code 21211")' body
# With no tokens file the rest of the API is open, this route is not:
# it would ring any number for whoever reaches the port.
: >twilio.log
start_httpd
test "$(post /api/twilio/outbound/call/incident-notification "$body")" = 403
jqtest '.error | test("INC_API_TOKENS_FILE")' body
must_be_empty twilio.log
