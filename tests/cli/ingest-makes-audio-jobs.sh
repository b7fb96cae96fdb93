#!/bin/sh
# inc-ingest turns audio into an audio job for inc-stt: a file by its path, standard input saved under the state directory.
. "${0%/*}/../testlib.sh"
$PY - <<'P'
import wave, struct, math
w = wave.open("call.wav", "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 8.0))) for i in range(8000)))
w.close()
P
inc-ingest call.wav >out
jqtest '.audio.path=="'"$TESTDIR"'/call.wav" and (.audio.mime|startswith("audio/")) and .ingest.format=="audio" and (has("description")|not)' out
inc-ingest -s phone <call.wav >out
path=$(jq -r .audio.path out)
case $path in "$INC_STATE_DIR"/audio/*.wav) ;; *) fail "saved at $path" ;; esac
cmp call.wav "$path"
jqtest '.source=="phone"' out
