#!/bin/sh
# inc-call rings the first number of INC_ONCALL about each open HIGH incident, and nobody about MEDIUM or LOW ones, with Twilio's form body and Basic auth, and adds a masked `call` key.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL='+14155550101, +1 415 555 0102' \
	INC_PUBLIC_URL=https://inc.example.com/
cat >in <<'IN'
{"id":"h-1","title":"Payments down","description":"d","severity":"HIGH"}
{"id":"m-1","title":"Slow page","description":"d","severity":"MEDIUM"}
{"id":"l-1","title":"Typo","description":"d","severity":"LOW"}
IN
inc-ingest <in | inc-store | inc-call --strict >out 2>err
test "$(lines out)" -eq 3
test "$(lines twilio.log)" -eq 1
jq -e '.method == "POST" and
	.path == "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Calls.json" and
	(.headers["Content-Type"] | startswith("application/x-www-form-urlencoded")) and
	.user == "AC0123456789abcdef0123456789abcdef" and .password == "test-token" and
	.form.To == ["+14155550101"] and .form.From == ["+15005550006"] and
	(.form.Twiml | length) == 1 and (.form.Url == null) and
	.form.StatusCallback == ["https://inc.example.com/api/twilio/voice/status?incident=h-1"] and
	.form.StatusCallbackEvent == ["initiated", "ringing", "answered", "completed"] and
	.status == 201' twilio.log >/dev/null || fail "$(cat twilio.log)"
sid=$(jq -r .answer.sid twilio.log)
jqtest "select(.id == \"h-1\") | .call.sid == \"$sid\" and .call.to == \"+1******0101\" and
	.call.status == \"queued\" and .call.step == 1 and (.call.at | test(\"Z\$\"))" out
jqtest 'select(.id == "m-1") | .call == null' out
jqtest 'select(.id == "l-1") | .call == null' out
# The intent is in the timeline, before the call it names.
inc-store events h-1 >events
jq -e -s 'map(.type) | index("call") < index("call-placed")' events >/dev/null ||
	fail "$(cat events)"
jqtest 'select(.type == "call") | .detail.step == 1 and .detail.to == "+1******0101"' events
# Full numbers never reach stderr.
! grep -q '5550101' err || fail "a full number in the log: $(cat err)"
# --min-severity MEDIUM rings about the MEDIUM one too.
inc-ingest <in | jq -c 'select(.id == "m-1") | .id = "m-2"' | inc-store |
	inc-call --min-severity medium >out2 2>err
test "$(lines twilio.log)" -eq 2
jqtest '.call.step == 1' out2
