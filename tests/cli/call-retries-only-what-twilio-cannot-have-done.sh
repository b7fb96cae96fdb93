#!/bin/sh
# A create that Twilio refused with 429 is sent again (it was never processed), but one whose answer was lost after it was sent, or that got a 5xx, is not: the record says the call's status is unknown, and escalation takes over.
. "${0%/*}/../testlib.sh"
export INC_ONCALL=+14155550101,+14155550102 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"t-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in
start_twilio --rate-limit 1 --retry-after 1
inc-call --strict <in >out 2>err
jq -c -s 'map(.status)' twilio.log >statuses
echo '[429,201]' >expect
cmp_expect expect statuses
jqtest '.call.status == "queued" and .errors == null' out
# The connection drops after the request went out: one request only.
printf '%s\n' '{"id":"t-2","title":"Two","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in2
start_twilio --drop
INC_NOW=2026-01-01T10:00:00Z inc-call <in2 >out 2>err
test "$(lines twilio.log)" -eq 1
jqtest '.call.status == "unknown" and .call.step == 1 and
	(.errors[0].error | test("may have been placed"))' out
inc-store <out >/dev/null
# A 500: not sent again either.
printf '%s\n' '{"id":"t-3","title":"Three","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store >in3
start_twilio --status 500
inc-call <in3 >out 2>err
test "$(lines twilio.log)" -eq 1
jqtest '.call.status == "unknown"' out
# Nobody acknowledged the call that may exist: the next person is rung
# after the timeout, as for any call.
start_twilio
inc-call --escalate --now 2026-01-01T10:05:00Z >esc 2>err
jqtest '.id == "t-2" and .call.step == 2' esc
