#!/bin/sh
# inc-stt --dry-run with Google prints the request it would send on stderr, the audio summarised and the key masked, sends nothing and marks the record.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
start_stub google google_stt.py
say rms "$SAID" call.wav -r 16000
GOOGLE_API_KEY=secret-key GOOGLE_STT_URL=$url inc-stt --dry-run call.wav >out 2>err
must_be_empty google.log
jqtest '.stt.engine=="google" and .stt.dry_run==true and (has("description")|not)' out
grep -q 'speech:recognize' err
jq -e '.method=="POST" and .body.config.encoding=="LINEAR16"
	and (.body.audio.content|test("^\\([0-9]+ bytes of base64\\)$"))' err >/dev/null ||
	{ cat err; fail "dry-run description"; }
! grep -q secret-key err || fail "the key leaked"
# Without credentials, a dry run still shows the request.
inc-stt --engine google --dry-run call.wav >out 2>err
grep -q 'speech:recognize' err
