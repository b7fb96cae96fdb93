#!/bin/sh
# inc-stt joins Google's consecutive results into one transcript, takes no results for no speech, and passes records on with Google's errors.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
start_stub google google_stt.py --results 3 --transcript "one two three four five six"
say rms "$SAID" call.wav -r 16000
export GOOGLE_API_KEY=k GOOGLE_STT_URL
GOOGLE_STT_URL=$url
inc-stt call.wav >out
jqtest '.description=="one two three four five six"' out
jq -e '.answer.results|length==3' google.log >/dev/null || fail "not 3 results"
# Quiet but not silent: inc-stt sends it, Google hears nothing.
sox -n -r 16000 -b 16 hum.wav synth 2 sine 300 vol 0.005
inc-stt hum.wav >out
jqtest '(.errors[0].error|test("no speech recognised")) and (has("description")|not)' out
# Refused: the error, no transcript, the record kept.
start_stub google2 google_stt.py --status 403
GOOGLE_STT_URL=$url
printf '{"id":"r1","audio":{"path":"%s"}}\n' "$TESTDIR/call.wav" >job
expect_code 1 inc-stt --strict <job >out
jqtest '.id=="r1" and (.errors[0].error|test("google: HTTP 403: stand-in"))' out
# Google's synchronous recognition takes a minute at most.
sox -n -r 8000 long.wav synth 61 sine 440 vol 0.5
inc-stt long.wav >out
jqtest '.errors[0].error|test("at most 60 s")' out
test "$(lines google2.log)" -eq 1
