#!/bin/sh
# When Twilio refuses a call, the record passes on with an errors[] entry naming Twilio's code and message (numbers masked): 21211 for an invalid number, 20003 for bad credentials.
. "${0%/*}/../testlib.sh"
start_twilio --invalid +14155550199
export INC_ONCALL=+14155550199 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"v-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in
expect_code 1 inc-call --strict <in >out 2>err
test "$(lines twilio.log)" -eq 1
jqtest '.call.status == "failed" and .call.step == 1 and
	(.errors[0].stage == "inc-call") and
	(.errors[0].error | test("HTTP 400, code 21211: The .To. number \\+\\*+0199 is not a valid phone number")) and
	(.errors[0].error | contains("https://www.twilio.com/docs/errors/21211"))' out
! grep -q 5550199 out err || fail "a full number: $(cat out err)"
inc-store events v-1 >events
jqtest 'select(.type == "call-failed") | .detail.step == 1' events
# Bad credentials: 20003, named as such; the token never shows.
printf '%s\n' '{"id":"v-2","title":"Two","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in2
TWILIO_AUTH_TOKEN=wrong-token inc-call <in2 >out 2>err
jqtest '.errors[0].error | test("refused the credentials: HTTP 401, code 20003: Authenticate")' out
! grep -q wrong-token out err
