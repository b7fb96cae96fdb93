#!/bin/sh
# The TwiML of a call is well-formed XML that says the incident's id, severity and title (escaped) and gathers one DTMF key whose answer goes to INC_PUBLIC_URL/api/twilio/voice/ack?incident=ID.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101 INC_PUBLIC_URL=https://inc.example.com/base
printf '%s\n' '{"id":"x-1","title":"DB <primary> & \"replica\" down","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | inc-call >out 2>err
jq -r '.form.Twiml[0]' twilio.log >twiml.xml
"$PY" - twiml.xml <<'PY' || fail "$(cat twiml.xml)"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "Response", root.tag
g = root.find("Gather")
assert g.get("input") == "dtmf" and g.get("numDigits") == "1", g.attrib
assert g.get("action") == \
    "https://inc.example.com/base/api/twilio/voice/ack?incident=x-1", g.get("action")
assert g.get("method") == "POST"
says = " ".join(s.text for s in g.findall("Say"))
assert "x-1" in says and "HIGH" in says, says
assert 'DB <primary> & "replica" down' in says, says
for key in ("Press 1 to acknowledge", "Press 2", "Press 9"):
    assert key in says, (key, says)
assert root.find("Hangup") is not None
PY
# The escaping is XML's, not a lossy replacement.
grep -q 'DB &lt;primary&gt; &amp; &quot;replica&quot; down' twiml.xml
