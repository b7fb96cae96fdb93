#!/bin/sh
# inc-embed --fit --model-file PATH fits the idf on its input, saves it to PATH under a model id with an idf digest, and the same file later gives the same vectors for the same text.
. "${0%/*}/../testlib.sh"
# One ingest, so that every run below reads the same bytes.
inc-ingest --kb "$TOP/share/inc/kb" >kb
test "$(lines kb)" -ge 10
inc-embed --fit --model-file m.model <kb >fitted 2>err
must_be_empty err
test -f m.model
# Header (magic, dim, buckets, documents) and 2^18 float32 weights.
test "$(wc -c <m.model)" -eq 1048596
test "$(head -c 8 m.model)" = INCEMB01
test "$(lines fitted)" -eq "$(lines kb)"
id=$(jq -r .embedding.model fitted | sort -u)
echo "$id" | grep -Eqx 'fh1-d384-w2-c34-idf[0-9a-f]{8}' || fail "model id: $id"
jq -e -s 'all(.[]; .errors == null and .embedding.dim == 384)' fitted \
	>/dev/null || fail "a fitted record has no embedding"
# Nothing else was written: not the state dir's model.
test ! -e "$INC_STATE_DIR/embed/local.model"
# The saved model embeds the same records to the same bytes.
inc-embed --model-file m.model <kb >again
cmp fitted again || fail "the saved model gives other vectors than the fit"
# A query later is embedded with the same model id and the same vector.
sed -n 5p kb >one
inc-embed --model-file m.model <one >q
test "$(jq -r .embedding.model q)" = "$id"
test "$(jq -r .embedding.vector q)" = "$(sed -n 5p fitted | jq -r .embedding.vector)"
# Without the model the weights are plain tf: another id, another vector.
inc-embed <one >plain
test "$(jq -r .embedding.model plain)" = fh1-d384-w2-c34-noidf
test "$(jq -r .embedding.vector plain)" != "$(jq -r .embedding.vector q)"
# The model keeps its dimension: --fit --dim 64 makes a 64-dimension model.
inc-embed --fit --dim 64 --model-file m64.model <kb >f64
jq -r .embedding.model f64 | sort -u | grep -Eqx 'fh1-d64-w2-c34-idf[0-9a-f]{8}'
inc-embed --model-file m64.model <one >q64
jqtest '.embedding.dim == 64' q64
