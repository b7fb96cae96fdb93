#!/bin/sh
# inc-stt with GOOGLE_ACCESS_TOKEN (and no key) authenticates to Google with a bearer token and keeps the URL free of keys.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
start_stub google google_stt.py
say slt "$SAID" call.wav -r 16000
GOOGLE_ACCESS_TOKEN=ya29.tok GOOGLE_STT_URL=$url inc-stt call.wav >out
jqtest '.description=="the primary database is down" and .stt.engine=="google"' out
jqtest '.path=="/v1/speech:recognize" and .headers.Authorization=="Bearer ya29.tok"' google.log
