#!/bin/sh
# Key 1 in an incident call acknowledges the incident on behalf of the masked number that answered, spools the updated record again for the integrations, and stops the escalation.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"k-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | INC_NOW=2026-01-01T10:00:00Z inc-call | inc-store >/dev/null
sid=$(jq -r .answer.sid twilio.log)
start_httpd
test "$(hook '/api/twilio/voice/ack?incident=k-1' CallSid="$sid" \
	AccountSid="$TWILIO_ACCOUNT_SID" From=+15005550006 To=+14155550101 \
	Direction=outbound-api CallStatus=in-progress Digits=1)" = 200
grep -q '^text/xml' ctype
grep -q '<Say>[^<]*acknowledged' body
grep -q '<Hangup/>' body
inc-store get k-1 >stored
jqtest '.status == "acknowledged" and .acknowledged_by == "phone:+1******0101"' stored
# Spooled again, so inc-slack and inc-jira hear of it.
cat "$INC_STATE_DIR/spool/new/"* >entries
jqtest '.id == "k-1" and .status == "acknowledged" and .call.step == 1' entries
# Nobody else is rung.
inc-call --escalate --now 2026-01-01T11:00:00Z >out
must_be_empty out
test "$(lines twilio.log)" -eq 1
# An unknown incident is not found.
test "$(hook '/api/twilio/voice/ack?incident=nope-1' CallSid=CA1 Digits=1)" = 404
