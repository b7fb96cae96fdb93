#!/bin/sh
# Every /api/twilio/voice/ request needs a valid X-Twilio-Signature for INC_PUBLIC_URL + path + query + form: a forged, missing or replayed-elsewhere signature gets 403 and changes nothing.
. "${0%/*}/../testlib.sh"
start_twilio
export INC_ONCALL=+14155550101,+14155550102 INC_PUBLIC_URL=https://inc.example.com
printf '%s\n' '{"id":"f-1","title":"One","description":"d","severity":"HIGH"}' |
	inc-ingest | inc-store | inc-call | inc-store >/dev/null
sid=$(jq -r .answer.sid twilio.log)
start_httpd
set -- CallSid="$sid" AccountSid="$TWILIO_ACCOUNT_SID" To=+14155550101 \
	From=+15005550006 Direction=outbound-api CallStatus=in-progress
test "$(hook --forge '/api/twilio/voice/ack?incident=f-1' "$@" Digits=1)" = 403
jqtest '.error | test("X-Twilio-Signature")' body
test "$(hook --unsigned '/api/twilio/voice/ack?incident=f-1' "$@" Digits=1)" = 403
# Signed for another public URL (another deployment), or with another
# query or form than the one sent.
test "$(hook --public https://other.example.com '/api/twilio/voice/ack?incident=f-1' "$@" Digits=1)" = 403
"$PY" - "$URL" "$TWILIO_AUTH_TOKEN" <<'PY' >codes
import base64, hashlib, hmac, sys, urllib.parse, urllib.request, urllib.error
url, token = sys.argv[1], sys.argv[2]
def sign(u, params):
    s = u + "".join(k + v for k, v in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), s.encode(), hashlib.sha1).digest()).decode()
def send(path, params, sig):
    req = urllib.request.Request(url + path, data=urllib.parse.urlencode(params).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig})
    try:
        return urllib.request.urlopen(req).status
    except urllib.error.HTTPError as e:
        return e.code
pub = "https://inc.example.com"
# Signed for incident f-2, sent for f-1.
print(send("/api/twilio/voice/ack?incident=f-1", [("Digits", "1")],
           sign(pub + "/api/twilio/voice/ack?incident=f-2", [("Digits", "1")])))
# Signed with Digits=9, sent with Digits=1.
print(send("/api/twilio/voice/ack?incident=f-1", [("Digits", "1")],
           sign(pub + "/api/twilio/voice/ack?incident=f-1", [("Digits", "9")])))
# Signed for the speech route, sent to the status route.
print(send("/api/twilio/voice/status?incident=f-1", [("CallSid", "CA1"), ("CallStatus", "completed")],
           sign(pub + "/api/twilio/voice/inbound/speech", [("CallSid", "CA1"), ("CallStatus", "completed")])))
PY
printf '403\n403\n403\n' >expect
cmp_expect expect codes
for p in /api/twilio/voice/inbound /api/twilio/voice/inbound/speech \
    /api/twilio/voice/inbound/recording '/api/twilio/voice/status?incident=f-1'; do
	test "$(hook --forge "$p" CallSid=CA1 From=+14155550123 SpeechResult=x \
		RecordingUrl=https://api.twilio.com/r CallStatus=completed)" = 403 ||
		fail "$p was not refused"
done
# Nothing happened: still open, nothing spooled, no event, nobody rung.
inc-store get f-1 >stored
jqtest '.status == "open"' stored
test -z "$(ls "$INC_STATE_DIR/spool/new")"
! inc-store events f-1 | jq -e 'select(.type == "call-status" or .type == "acknowledged")' >/dev/null
test "$(lines twilio.log)" -eq 1
# The same request, signed right, is taken.
test "$(hook '/api/twilio/voice/ack?incident=f-1' "$@" Digits=1)" = 200
inc-store get f-1 >stored
jqtest '.status == "acknowledged"' stored
# The routes need no bearer token (Twilio has none), but a signature.
printf 's3cret' | sha256sum | cut -d' ' -f1 >tokens
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
test "$(hook '/api/twilio/voice/status?incident=f-1' CallSid="$sid" CallStatus=completed)" = 200
test "$(hook --forge '/api/twilio/voice/status?incident=f-1' CallSid="$sid" CallStatus=completed)" = 403
