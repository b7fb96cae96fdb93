#!/bin/sh
# inc-embed --fit on the same input twice makes the same model: the same model id, the same file, the same output.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" >kb
inc-embed --fit --model-file one.model <kb >out1
inc-embed --fit --model-file two.model <kb >out2
cmp one.model two.model || fail "two fits wrote different model files"
cmp out1 out2 || fail "two fits wrote different records"
id=$(jq -r .embedding.model out1 | sort -u)
test "$(echo "$id" | wc -l)" -eq 1
case $id in *-noidf) fail "a fitted model id says noidf: $id" ;; esac
# Fitting again over an existing file replaces it with the same model.
inc-embed --fit --model-file one.model <kb >out3
cmp one.model two.model
cmp out1 out3
# Other documents give another idf, and so another model id.
head -n 5 kb | inc-embed --fit --model-file few.model >out4
other=$(jq -r .embedding.model out4 | sort -u)
echo "$other" | grep -Eqx 'fh1-d384-w2-c34-idf[0-9a-f]{8}'
test "$other" != "$id" || fail "fits on different documents share the id $id"
