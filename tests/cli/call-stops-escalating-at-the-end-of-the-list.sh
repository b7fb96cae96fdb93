#!/bin/sh
# inc-call --escalate goes down INC_ONCALL once: after the last number it rings nobody, not the first one again.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"s-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | INC_NOW=2026-01-01T10:00:00Z inc-call | inc-store >/dev/null
for t in 10:06 10:12 10:18 11:00; do
	inc-call --escalate --now "2026-01-01T$t:00Z" >>out 2>>err
done
test "$(lines out)" -eq 1
jq -r '.form.To[0]' twilio.log >to
printf '+14155550101\n+14155550102\n' >expect
cmp_expect expect to
