#!/bin/sh
# inc-embed --fit saves the model to INC_EMBED_MODEL_FILE, else $INC_STATE_DIR/embed/local.model, and later runs embed with it; --model-file wins over both.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" >kb
sed -n 3p kb >one
test ! -e "$INC_STATE_DIR"
# --dry-run fits and embeds, but saves nothing.
inc-embed --fit --dry-run <kb >dry
test ! -e "$INC_STATE_DIR/embed/local.model"
jq -r .embedding.model dry | grep -q -- '-idf'
inc-embed --fit <kb >fitted
test -f "$INC_STATE_DIR/embed/local.model"
test "$(stat -c %a "$INC_STATE_DIR/embed")" = 700
cmp dry fitted || fail "--dry-run embedded differently"
id=$(sed -n 3p fitted | jq -r .embedding.model)
# A later run without options finds the model there.
inc-embed <one >q
test "$(jq -r .embedding.model q)" = "$id"
test "$(jq -r .embedding.vector q)" = "$(sed -n 3p fitted | jq -r .embedding.vector)"
# INC_EMBED_MODEL_FILE moves it, for the fit and for later runs.
head -n 8 kb >few
INC_EMBED_MODEL_FILE=$PWD/elsewhere/few.model inc-embed --fit <few >f2
test -f elsewhere/few.model
id2=$(jq -r .embedding.model f2 | sort -u)
test "$id2" != "$id"
INC_EMBED_MODEL_FILE=$PWD/elsewhere/few.model inc-embed <one >q2
test "$(jq -r .embedding.model q2)" = "$id2"
# The state dir's model was left alone.
inc-embed <one >q3
test "$(jq -r .embedding.model q3)" = "$id"
# --model-file wins over INC_EMBED_MODEL_FILE.
INC_EMBED_MODEL_FILE=$PWD/elsewhere/few.model \
	inc-embed --model-file "$INC_STATE_DIR/embed/local.model" <one >q4
test "$(jq -r .embedding.model q4)" = "$id"
