#!/bin/sh
# inc-embed passes a record with no title or description on with an errors[] entry of stage inc-embed and exits 0, or 1 with --strict.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"t-1","title":"db-01 disk full"}' \
 '{"id":"t-2","team":"db"}' \
 '{"id":"t-3","title":"","description":""}' \
 '{"id":"t-4","title":42,"description":{"text":"not a string"}}' \
 '{"id":"t-5","description":"dns broken","errors":[{"stage":"inc-ingest","error":"earlier","at":"2026-01-01T00:00:00Z"}]}' >in
for path in 1 0; do
	INC_BULK_PATH=$path inc-embed <in >out 2>err
	must_be_empty err
	test "$(jq -r .id out | tr '\n' ' ')" = "t-1 t-2 t-3 t-4 t-5 "
	for id in t-2 t-3 t-4; do
		jqtest "select(.id==\"$id\") | .embedding == null and
			(.errors | length) == 1 and .errors[0].stage == \"inc-embed\" and
			(.errors[0].error | test(\"no text to embed\")) and
			(.errors[0].at | test(\"^20[0-9-]{8}T[0-9:.]+Z\$\"))" out
	done
	jqtest 'select(.id=="t-2") | .team == "db"' out
	jqtest 'select(.id=="t-1") | .errors == null and .embedding.dim == 384' out
	# An earlier stage's entry is kept, and the record is not ours to fail.
	jqtest 'select(.id=="t-5") | (.errors | length) == 1 and
		.errors[0].stage == "inc-ingest" and .embedding.dim == 384' out
	expect_code 1 env INC_BULK_PATH=$path inc-embed --strict <in >out2
	# --strict changes the exit status only.
	test "$(jq -c 'del(.errors[]?.at)' out)" = "$(jq -c 'del(.errors[]?.at)' out2)"
done
# --strict on input where every record has text is still 0.
sed -n 1p in | inc-embed --strict >/dev/null
# The same with --fit, and a record with only short words and numbers.
echo '{"id":"t-6","title":"a 1 2"}' >>in
expect_code 0 inc-embed --fit --model-file m <in >out
jqtest 'select(.id=="t-6") | (.errors[0].error | test("no words to embed"))' out
jqtest 'select(.id=="t-3") | .errors[0].stage == "inc-embed"' out
expect_code 1 inc-embed --fit --model-file m --strict <in >/dev/null
