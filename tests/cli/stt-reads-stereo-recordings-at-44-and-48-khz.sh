#!/bin/sh
# inc-stt mixes stereo recordings at 44.1 and 48 kHz down to what its recogniser hears.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
say rms "$SAID" a.wav -r 44100 -c 2
say slt "$SAID" b.wav -r 48000 -c 2 -b 24
soxi b.wav | grep -q 'Channels *: 2' || fail "not stereo"
inc-stt a.wav b.wav >out
test "$(lines out)" -eq 2
has_words out primary database down
