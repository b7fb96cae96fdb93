#!/bin/sh
# inc-stt writes what two flite voices say at 16 kHz into description and title, and says how in stt, for files named and for audio jobs from inc-ingest.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
say rms "$SAID" rms.wav -r 16000
say slt "$SAID" slt.wav -r 16000
inc-stt rms.wav slt.wav >out 2>err
test "$(lines out)" -eq 2
has_words out primary database down failover
jqtest '.audio.path=="'"$TESTDIR"'/rms.wav" and .kind=="incident" and (.id|length>0)' out
jqtest '.audio.path=="'"$TESTDIR"'/slt.wav"' out
jq -e -s 'all(.[]; .stt.engine=="local" and .stt.model=="domain"
	and .stt.confidence>0 and .stt.confidence<=1 and .stt.ms>0
	and .stt.seconds>2 and .stt.seconds<8 and .stt.transcript==.description
	and (.title|length>0) and (.title as $t | .description|startswith($t))
	and (has("errors")|not))' out >/dev/null || { cat out; fail "stt"; }
# The same through a pipe, as the pipeline runs it: a job passes on with
# its id and the keys inc-stt does not own.
inc-ingest rms.wav | jq -c '. + {team: "db", title: "Phoned in"}' >job
inc-stt <job >out2
has_words out2 database down
jqtest '.team=="db" and .title=="Phoned in" and .id=='"$(jq .id job)" out2
