#!/bin/sh
# inc-match --kind kb searches the documents of kind "kb" and --kind all (the default) every document; each match says its kind, and another --kind is a usage error.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
n=$(inc-store stats | jq .kb.documents)
echo '{"id":"k-1","title":"database connection pool exhausted"}' | inc-embed >q
inc-match -k 3 <q >def
for kind in kb all; do
	inc-match -k 3 --kind $kind <q >$kind 2>err
	must_be_empty err
	jqtest ".match.index_size == $n and (.matches | length) == 3 and
		all(.matches[]; .kind == \"kb\") and
		.matches[0].id == \"kb-db-connection-pool-exhausted\"" $kind
done
# Every document here is a runbook: the two see the same index.
test "$(jq -c 'del(.match.ms)' kb)" = "$(jq -c 'del(.match.ms)' all)"
test "$(jq -c 'del(.match.ms)' def)" = "$(jq -c 'del(.match.ms)' all)"
# Each kind keeps an index file of its own.
ls "$INC_STATE_DIR"/cache/*-kb.vix "$INC_STATE_DIR"/cache/*-all.vix >/dev/null
for bad in incident runbooks ''; do
	expect_code 64 inc-match --kind "$bad" <q >out 2>err
	must_be_empty out
	grep -q "^inc-match: --kind: " err
	grep -q '^usage: inc-match ' err
done
