#!/bin/sh
# Once an incident is acknowledged (or resolved), inc-call --escalate rings nobody else about it, however late it is.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"a-1","title":"One","description":"d","severity":"HIGH"}' \
	'{"id":"a-2","title":"Two","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | INC_NOW=2026-01-01T10:00:00Z inc-call | inc-store >/dev/null
test "$(lines twilio.log)" -eq 2
inc-store ack a-1 --by phone >/dev/null
inc-store resolve a-2 --resolution 'restarted' >/dev/null
inc-call --escalate --now 2026-01-01T11:00:00Z >out 2>err
must_be_empty out
test "$(lines twilio.log)" -eq 2
