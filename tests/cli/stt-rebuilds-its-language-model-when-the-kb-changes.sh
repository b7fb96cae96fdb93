#!/bin/sh
# inc-stt keeps its domain language model in the state directory, remakes it only when the knowledge base changes, and --lm picks another.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
say rms "$SAID" call.wav -r 16000
inc-stt --build-lm >path 2>err
lm=$INC_STATE_DIR/stt/domain.lm
test "$(cat path)" = "$lm"
grep -q 'runbooks' err
head -n 1 "$lm" | grep -q '^\\data\\$'
grep -q '^ngram 3=' "$lm"
grep -q '^failover ' "$INC_STATE_DIR/stt/domain.dic"
# Word lists: what the dictionary lacked and what became of it.
grep -q '^spelled	ntp	' "$INC_STATE_DIR/stt/domain.oov"
stamp=$(cat "$INC_STATE_DIR/stt/domain.stamp")
touch -d '2001-01-01' "$lm"
inc-stt call.wav >out
has_words out database down
test "$(find "$lm" -newermt 2002-01-01)" = "" || fail "remade without a change"
# Teach the knowledge base a word no runbook has.
printf '{"kind":"kb","id":"kb-aardvark","title":"Aardvark feeder jammed","description":"The aardvark feeder jammed again.","resolution":"Clear the aardvark feeder.","severity":"LOW"}\n' |
	inc-ingest | inc-embed -q | inc-store --kb >/dev/null
inc-stt call.wav >out 2>err
has_words out database down
test "$(find "$lm" -newermt 2002-01-01)" = "$lm" || fail "not remade"
grep -q '	aardvark	' "$lm"
test "$(cat "$INC_STATE_DIR/stt/domain.stamp")" != "$stamp"
# --lm generic: the stock model; --lm FILE: one's own, with FILE.dic.
inc-stt --lm generic call.wav >out
jqtest '.stt.model=="generic" and (.description|length>0)' out
cp "$lm" own.lm
cp "$INC_STATE_DIR/stt/domain.dic" own.dic
inc-stt --lm own.lm call.wav >out
jqtest '.stt.model=="own.lm"' out
has_words out database down
