#!/bin/sh
# inc-stt with GOOGLE_API_KEY sends Google speech:recognize the audio as base64 LINEAR16 at 16 kHz with the key in the URL (protocols.md §6), and writes the answer's transcript.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
start_stub google google_stt.py --key k-123 --transcript "disk full on the log volume" --confidence 0.87
say rms "$SAID" call.wav -r 8000 -e u-law
GOOGLE_API_KEY=k-123 GOOGLE_STT_URL=$url inc-stt call.wav >out 2>err
must_be_empty err
jqtest '.description=="disk full on the log volume" and .title=="disk full on the log volume"
	and .stt.engine=="google" and .stt.confidence==0.87 and .stt.ms>=0
	and (has("errors")|not)' out
test "$(lines google.log)" -eq 1
jqtest '.method=="POST" and .path=="/v1/speech:recognize?key=k-123"
	and (.headers["Content-Type"]|startswith("application/json"))
	and (.headers|has("Authorization")|not)
	and .body.config.encoding=="LINEAR16" and .body.config.sampleRateHertz==16000
	and .body.config.languageCode=="en-US"
	and (.body.audio.content|length>0) and .status==200' google.log
# The base64 decodes to 16-bit samples of the whole call: its length in
# seconds is the recording's, and it is speech, not silence.
secs=$(soxi -D call.wav)
jq -e --argjson s "$secs" '(.audio_seconds - $s | fabs) < 0.05 and .audio_dbfs > -40' \
	google.log >/dev/null || { cat google.log; fail "audio sent"; }
# Another language when asked.
INC_STT_LANGUAGE=en-GB GOOGLE_API_KEY=k-123 GOOGLE_STT_URL=$url inc-stt call.wav >out
jq -s -e '.[1].body.config.languageCode=="en-GB"' google.log >/dev/null ||
	fail "language not sent"
# A wrong key is Google's 400, reported without the key.
GOOGLE_API_KEY=wrong-key GOOGLE_STT_URL=$url inc-stt call.wav >out 2>err
jqtest '(.errors[0].error|test("google: HTTP 400: API key not valid"))
	and (has("description")|not)' out
! grep -q 'wrong-key' out err || fail "the key leaked"
