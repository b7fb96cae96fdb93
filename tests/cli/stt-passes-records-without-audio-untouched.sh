#!/bin/sh
# inc-stt passes records without audio on byte for byte and loads nothing for them: no model, no state.
. "${0%/*}/../testlib.sh"
printf '{"id":"a","title":"db down","x":{"y":[1,2.50,"\\u00e9"]}}\n{"id":"b", "title":"spaced"}\n' >in
# A model directory that does not exist: nothing may look for it.
INC_STT_MODEL_DIR=/nonexistent inc-stt <in >out 2>err
cmp in out
must_be_empty err
test ! -e "$INC_STATE_DIR/stt"
# Many records go through at the speed of a copy.
i=0
while [ $i -lt 2000 ]; do echo '{"id":"x","title":"t"}'; i=$((i + 1)); done >many
INC_STT_MODEL_DIR=/nonexistent inc-stt <many >out
cmp many out
