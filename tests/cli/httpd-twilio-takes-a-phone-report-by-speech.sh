#!/bin/sh
# A call to the incident line is greeted with TwiML that gathers speech, with a recording as the fallback; Twilio's transcript (SpeechResult) is spooled durably as an incident whose source is the caller, once however often Twilio sends it.
. "${0%/*}/../testlib.sh"
export TWILIO_AUTH_TOKEN=hook-token INC_PUBLIC_URL=https://inc.example.com/
spool=$INC_STATE_DIR/spool
start_httpd
set -- CallSid=CA00000000000000000000000000000001 AccountSid=AC1 \
	From=+14155550123 To=+15005550006 Direction=inbound CallStatus=in-progress
test "$(hook /api/twilio/voice/inbound "$@")" = 200
grep -q '^text/xml' ctype
"$PY" - body <<'PY' || fail "$(cat body)"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
g = root.find("Gather")
assert g.get("input") == "speech", g.attrib
assert g.get("action") == "https://inc.example.com/api/twilio/voice/inbound/speech", g.attrib
assert g.find("Say") is not None
r = root.find("Record")
assert r is not None and r.get("action") == \
    "https://inc.example.com/api/twilio/voice/inbound/recording", r
kids = [k.tag for k in root]
assert kids.index("Gather") < kids.index("Record"), kids
PY
test -z "$(ls "$spool/new")"
test "$(hook /api/twilio/voice/inbound/speech "$@" \
	'SpeechResult=The database db-01 is down since 10 minutes' Confidence=0.91)" = 200
grep -q '^text/xml' ctype
grep -q '<Say>' body
grep -q '<Hangup/>' body
cat "$spool/new/"* >entries
jqtest '.id == "phone-CA00000000000000000000000000000001" and
	.description == "The database db-01 is down since 10 minutes" and
	.source == "phone:+1******0123" and .metadata.channel == "phone" and
	.metadata.confidence == 0.91 and (.title | startswith("Phone report: The database"))' entries
! grep -q 5550123 entries || fail "the caller's full number was spooled"
# Twilio sending the same result again: no second report.
test "$(hook /api/twilio/voice/inbound/speech "$@" \
	'SpeechResult=The database db-01 is down since 10 minutes' Confidence=0.91)" = 200
test "$(cat "$spool/new/"* | grep -c phone-CA)" -eq 1
# The pipeline takes it from the spool like any report.
inc-ingest --spool "$spool" | inc-store --ack "$spool" >/dev/null
inc-store get phone-CA00000000000000000000000000000001 >stored
jqtest '.source == "phone:+1******0123" and .status == "open"' stored
# Speech Twilio could not make out: the caller is asked to record.
test "$(hook /api/twilio/voice/inbound/speech CallSid=CA00000000000000000000000000000002 \
	From=+14155550124 SpeechResult=)" = 200
grep -q '<Record action="https://inc.example.com/api/twilio/voice/inbound/recording"' body
test -z "$(ls "$spool/new")"
