#!/bin/sh
# inc-stt hears both flite voices on 8 kHz mu-law audio, what a phone line carries.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
say rms "$SAID" rms.wav -r 8000 -e u-law
say slt "the replica is more than ten minutes behind the primary" slt.wav -r 8000 -e u-law
soxi rms.wav | grep -q 'u-law' || fail "sox did not make mu-law"
inc-stt rms.wav >out
has_words out primary database down failover
inc-stt slt.wav >out
has_words out replica behind primary
jqtest '.stt.seconds>2 and .stt.engine=="local"' out
