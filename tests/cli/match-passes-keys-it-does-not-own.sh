#!/bin/sh
# inc-match copies every key it does not own unchanged (a user's key added with jq between inc-embed and inc-match included) and replaces an existing `matches` and `match`.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"p-1","title":"database connection pool exhausted","description":"too many clients","metadata":{"host":"db-01","n":[1,2.5,null,true]},"source":"grafana"}' |
	inc-ingest | inc-embed | jq -c '. + {team: "db", oncall: {primary: "fred"}}' >a
# One that carries the results of an earlier run, stale and wrong.
jq -c '.id = "p-2" | .matches = [{"id": "kb-stale", "score": 0.99}] |
	.match = {"k": 1, "best": 0.99, "index_size": 1, "ms": 7}' a >b
# Unusual spelling: spaces, escapes, unicode, numbers as written.
jq -c '.id = "p-3"' a | sed 's|^{|{ "note" : "caf\\u00e9 \\"q\\" \\/x",  "big": 9223372036854775807, "e": 1E-7, |' >c
cat a b c >in
for path in 1 0; do
	INC_BULK_PATH=$path inc-match -k 3 <in >out 2>err
	must_be_empty err
	test "$(lines out)" -eq 3
	# Everything but matches and match is as it came in.
	jq -S -c 'del(.matches, .match)' in >want
	jq -S -c 'del(.matches, .match)' out >got
	cmp_expect want got
	# The stale results are gone, replaced by this run's.
	jq -e -s 'all(.[]; (.matches | length) == 3 and .match.k == 3 and
		.matches[0].id == "kb-db-connection-pool-exhausted" and
		.match.index_size > 1)' out >/dev/null ||
		fail "matches not added or not replaced (INC_BULK_PATH=$path)"
	! grep -q kb-stale out || fail "a stale match survived"
	test "$(grep -o '"matches"' out | wc -l)" -eq 3
	test "$(grep -o '"match"' out | wc -l)" -eq 3
done
# The bulk path keeps the numbers as they were written.
inc-match <in | grep -q '"big": *9223372036854775807, *"e": *1E-7' ||
	fail "numbers were rewritten"
