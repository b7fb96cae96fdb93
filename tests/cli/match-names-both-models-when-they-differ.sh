#!/bin/sh
# inc-match passes a record embedded by another model than the index's on with an errors[] entry "model X, index has Y", and never compares its vector.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"a","title":"disk full"}' | inc-embed >ok
kbmodel=$(jq -r .embedding.model ok)
# The same text with 64 dimensions and no fitted model: another model id.
echo '{"id":"b","title":"disk full"}' |
	INC_STATE_DIR=$PWD/elsewhere inc-embed --dim 64 >d64
other=$(jq -r .embedding.model d64)
test "$other" != "$kbmodel"
# A model string from elsewhere, with a vector of the right size.
jq -c '.id = "c" | .embedding.model = "text-embedding-3-small"' ok >fake
# The right model id with the wrong number of dimensions.
jq -c '.id = "d" | .embedding.model = $m' --arg m "$kbmodel" d64 >wrongdim
cat ok d64 fake wrongdim >in
for path in 1 0; do
	INC_BULK_PATH=$path inc-match <in >out 2>err
	must_be_empty err
	test "$(jq -r .id out | tr '\n' ' ')" = "a b c d "
	jqtest 'select(.id=="a") | (.matches | length) == 5 and (.errors | not)' out
	jqtest "select(.id==\"b\") | (.matches | not) and (.match | not) and
		.errors[0].stage == \"inc-match\" and
		(.errors[0].error | contains(\"model $other, index has $kbmodel\"))" out
	jqtest "select(.id==\"c\") | (.matches | not) and
		(.errors[0].error | contains(\"model text-embedding-3-small, index has $kbmodel\"))" out
	jqtest 'select(.id=="d") | (.matches | not) and
		(.errors[0].error | test("64 dimensions, index has 384"))' out
	# The embedding is passed on as it came.
	test "$(jq -c 'select(.id=="b") | .embedding' out)" = "$(jq -c .embedding d64)"
	expect_code 1 env INC_BULK_PATH=$path inc-match --strict <in >/dev/null
done
# --model asks for an index of a model the knowledge base does not have.
inc-match --model text-embedding-3-small <ok >out 2>err ||
	fail "exit $?: $(cat err)"
jqtest '(.matches | not) and (.errors[0].error |
	test("no embedded documents"))' out
