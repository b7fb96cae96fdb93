#!/bin/sh
# inc-embed exits 78 when INC_EMBED_BACKEND is neither local nor openai, as --backend exits 64, instead of quietly embedding locally.
. "${0%/*}/../testlib.sh"
echo '{"id":"x-1","title":"db-01 disk full"}' >in
INC_EMBED_BACKEND=local inc-embed <in >out
jqtest '.embedding.model == "fh1-d384-w2-c34-noidf"' out
expect_code 64 inc-embed --backend opnai <in >out 2>err
grep -q '^inc-embed: --backend: local or openai: opnai$' err
must_be_empty out
expect_code 78 env INC_EMBED_BACKEND=opnai inc-embed <in >out 2>err
grep -q '^inc-embed: INC_EMBED_BACKEND: ' err || fail "message: $(cat err)"
must_be_empty out
