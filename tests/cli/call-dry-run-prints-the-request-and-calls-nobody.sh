#!/bin/sh
# inc-call --dry-run prints the Calls request it would send on stderr (credentials masked), marks the record, rings nobody and writes nothing to the timeline.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"d-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in
inc-call --dry-run <in >out 2>err
must_be_empty twilio.log
jqtest '.call.dry_run == true and .call.step == 1 and .call.to == "+1******0101"' out
grep '^{' err >req
jqtest '.method == "POST" and (.url | endswith("/Calls.json")) and
	.headers.Authorization == "Basic *" and
	.headers["Content-Type"] == "application/x-www-form-urlencoded" and
	.form.To == "+*******0101" and (.form.Twiml | contains("<Gather")) and
	.form.StatusCallback == "https://inc.example.com/api/twilio/voice/status?incident=d-1"' req
! grep -q 'test-token' err || fail "the token is in the dry run: $(cat err)"
inc-store events d-1 >events
! jq -e 'select(.type | startswith("call"))' events >/dev/null
# The record is not taken for a call made: a real pass rings.
inc-call <out >out2 2>err
test "$(lines twilio.log)" -eq 1
