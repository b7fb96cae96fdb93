#!/bin/sh
# inc-match still finds matches, with a warning, when it cannot create or write its cache directory: the index then lives in memory only.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"w-1","title":"disk full"}' | inc-embed >q
inc-match <q | jq -c 'del(.match.ms)' >want
jqtest '.matches[0].id == "kb-disk-full"' want
# /proc/self exists and takes no files, not even from root; nothing can
# be made below it.
for dir in /proc/self /proc/self/inc-cache; do
	INC_MATCH_CACHE=$dir inc-match <q >out 2>err ||
		fail "INC_MATCH_CACHE=$dir: exit $?: $(cat err)"
	jq -c 'del(.match.ms)' out >got
	cmp_expect want got
	grep -q '^inc-match: ' err || fail "INC_MATCH_CACHE=$dir: no warning"
done
