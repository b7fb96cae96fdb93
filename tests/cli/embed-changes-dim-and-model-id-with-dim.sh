#!/bin/sh
# inc-embed --dim N (or INC_EMBED_DIM) writes N dimensions under a model id that names N; a dimension outside 8..4096 is a usage error.
. "${0%/*}/../testlib.sh"
echo '{"id":"x","title":"db-01 disk full","description":"writes fail"}' >in
inc-embed --dim 64 <in >out
jqtest '.embedding.dim == 64 and .embedding.model == "fh1-d64-w2-c34-noidf"' out
test "$(jq -r .embedding.vector out | base64 -d | wc -c)" -eq 256
INC_EMBED_DIM=32 inc-embed <in >out
jqtest '.embedding.dim == 32 and .embedding.model == "fh1-d32-w2-c34-noidf"' out
test "$(jq -r .embedding.vector out | base64 -d | wc -c)" -eq 128
# The flag wins over the environment.
INC_EMBED_DIM=32 inc-embed --dim 8 --format array <in >out
jqtest '.embedding.dim == 8 and (.embedding.vector | length) == 8 and
	.embedding.model == "fh1-d8-w2-c34-noidf"' out
inc-embed <in >out
jqtest '.embedding.dim == 384' out
for bad in 7 4097 x 64k ''; do
	expect_code 64 inc-embed --dim "$bad" <in >out 2>err
	grep -q "^inc-embed: --dim: must be 8..4096: $bad\$" err ||
		fail "--dim '$bad': $(cat err)"
	must_be_empty out
done
expect_code 78 env INC_EMBED_DIM=5000 inc-embed <in >out 2>err
grep -q '^inc-embed: .*INC_EMBED_DIM' err || fail "INC_EMBED_DIM=5000: $(cat err)"
