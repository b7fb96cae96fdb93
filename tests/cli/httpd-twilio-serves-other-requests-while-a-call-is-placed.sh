#!/bin/sh
# While inc-httpd waits for Twilio to create a call (the notification route, key 2), its other requests are answered at once: the handler lets go of the server's lock for the request to Twilio.
. "${0%/*}/../testlib.sh"
start_twilio --delay 2000
export INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' "$(printf s3cret | sha256sum | cut -d' ' -f1)" >tokens
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
curl -s -o notify.body -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	-H 'Authorization: Bearer s3cret' \
	--data-binary '{"toPhoneNumber":"+14155550188","incidentId":"w-1","message":"x"}' \
	"$URL/api/twilio/outbound/call/incident-notification" >notify.code &
pid=$!
# The create reaches the stand-in at once, and waits there for 2 s.
sleep 0.5
t0=$(date +%s.%N)
test "$(req GET /api/health)" = 200
t1=$(date +%s.%N)
wait $pid
test "$(cat notify.code)" = 200 || fail "the call: $(cat notify.code) $(cat notify.body)"
jq -e '.callSid | startswith("CA")' notify.body >/dev/null
t2=$(date +%s.%N)
"$PY" -c "import sys; sys.exit(0 if $t1 - $t0 < 1.0 else 1)" ||
	fail "health waited for the call: $t0 .. $t1"
# The call itself did wait for the stand-in.
"$PY" -c "import sys; sys.exit(0 if $t2 - $t0 > 1.0 else 1)" ||
	fail "the stand-in did not delay the call: $t0 .. $t2"
