#!/bin/sh
# inc-call --escalate rings the next number on INC_ONCALL about an open incident whose last call went unacknowledged for the ack timeout (5 min by default, INC_CALL_ACK_TIMEOUT), on a clock the test sets, and persists the new `call` key.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102,+14155550103 \
	INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"e-1","title":"Payments down","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | INC_NOW=2026-01-01T10:00:00Z inc-call | inc-store >/dev/null
test "$(lines twilio.log)" -eq 1
# 4 min 59 s: not yet.
inc-call --escalate --now 2026-01-01T10:04:59Z >out 2>err
must_be_empty out
test "$(lines twilio.log)" -eq 1
# 5 min: the second number.
INC_NOW=2026-01-01T10:05:00Z inc-call --escalate >out 2>err
test "$(lines twilio.log)" -eq 2
test "$(sed -n 2p twilio.log | jq -r '.form.To[0]')" = +14155550102
jqtest '.id == "e-1" and .call.step == 2 and .call.to == "+1******0102" and
	.call.at == "2026-01-01T10:05:00.000000Z" and (.call.sid | startswith("CA"))' out
inc-store get e-1 >stored
jqtest '.call.step == 2 and .call.status == "queued"' stored
# The next timeout counts from the second call; a shorter one is a setting.
INC_CALL_ACK_TIMEOUT=60 inc-call --escalate --now 2026-01-01T10:05:59Z >out
test "$(lines twilio.log)" -eq 2
INC_CALL_ACK_TIMEOUT=60 inc-call --escalate --now 2026-01-01T10:06:00Z >out
test "$(lines twilio.log)" -eq 3
test "$(sed -n 3p twilio.log | jq -r '.form.To[0]')" = +14155550103
inc-store events e-1 | jq -c 'select(.type == "call") | .detail.step' >steps
printf '1\n2\n3\n' >expect
cmp_expect expect steps
