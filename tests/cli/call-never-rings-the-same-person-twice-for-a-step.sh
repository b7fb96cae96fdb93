#!/bin/sh
# A replayed record (with or without its `call` key), a repeated escalation and two escalation timers at once never ring the same person twice for one step, on SQLite and PostgreSQL: each step is taken in the timeline before dialling.
. "${0%/*}/../testlib.sh"
run() {
	export DATABASE_URL="$DB"
	start_twilio
	export INC_ONCALL=+14155550101,+14155550102,+14155550103 \
		INC_PUBLIC_URL=https://inc.example.com
	printf '%s\n' '{"id":"r-1","title":"One","description":"d","severity":"HIGH"}' |
		inc-ingest | inc-store >stored
	export INC_NOW=2026-01-01T10:00:00Z
	inc-call <stored >called
	test "$(lines twilio.log)" -eq 1
	# The crash window: the call was made, the final inc-store never ran, and
	# the spool replays the record without its `call` key.
	inc-call <stored >again 2>err
	test "$(lines twilio.log)" -eq 1
	jqtest '.call.step == 1 and .call.sid == "'"$(jq -r .answer.sid twilio.log)"'"' again
	# A replay that carries the key is passed on as it is.
	inc-call <called >again2
	test "$(lines twilio.log)" -eq 1
	cmp_expect called again2
	inc-store <called >/dev/null
	# Two timers at once: one rings step 2.
	inc-call --escalate --now 2026-01-01T10:06:00Z >e1 2>&1 &
	p1=$!
	inc-call --escalate --now 2026-01-01T10:06:00Z >e2 2>&1 &
	p2=$!
	# Only these two: a bare wait would also wait for the stand-in.
	wait $p1 $p2
	test "$(lines twilio.log)" -eq 2
	# Escalating again at the same time rings nobody.
	inc-call --escalate --now 2026-01-01T10:06:00Z >e3
	test "$(lines twilio.log)" -eq 2
	jq -r '.form.To[0]' twilio.log >to
	printf '+14155550101\n+14155550102\n' >expect
	cmp_expect expect to
	inc-store events r-1 | jq -c 'select(.type == "call") | .detail.step' >steps
	printf '1\n2\n' >expect
	cmp_expect expect steps
}
for_each_db run
