#!/bin/sh
# inc-match --min-score keeps only the matches that score at least that much, and an empty list when none does.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"q","title":"database connection pool exhausted","description":"too many connections, the pool is full"}' |
	inc-embed >q
inc-match -k 10 <q >all
jq -e '(.matches | length) == 10' all >/dev/null
# A threshold between the best and the second best keeps one.
cut=$(jq '(.matches[0].score + .matches[1].score) / 2' all)
inc-match -k 10 --min-score "$cut" <q >one
jq -e --argjson c "$cut" '(.matches | length) == 1 and
	.matches[0].score >= $c' one >/dev/null || fail "--min-score $cut"
test "$(jq -c '.matches[0]' one)" = "$(jq -c '.matches[0]' all)"
# One in the middle keeps exactly those above it.
cut=$(jq '(.matches[4].score + .matches[5].score) / 2' all)
inc-match -k 10 --min-score "$cut" <q >some
test "$(jq -c '[.matches[] | .id]' some)" = \
	"$(jq -c --argjson c "$cut" '[.matches[] | select(.score >= $c) | .id]' all)"
test "$(jq '.matches | length' some)" -eq 5
# Above every score: no match, but the record still has its summary.
inc-match -k 10 --min-score 0.9999 <q >none
jq -e '.matches == [] and .match.k == 10 and .match.index_size > 0 and
	(.errors | not)' none >/dev/null || fail "--min-score 0.9999"
# Out of -1..1 is a usage error.
expect_code 64 inc-match --min-score 1.5 <q >/dev/null 2>err
grep -q '^inc-match: --min-score: must be -1..1' err
expect_code 64 inc-match --min-score x <q >/dev/null 2>err
