#!/bin/sh
# inc-match loads the knowledge base from SQLite or PostgreSQL (--db, DATABASE_URL, INC_DB) and gives the same matches from both.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit >"$TESTDIR/kb"
jq -c '{id: ("q-" + .id), title}' "$TESTDIR/kb" | inc-embed >"$TESTDIR/q"

t() {
	inc-store --db "$DB" --kb <"$TESTDIR/kb" >/dev/null
	inc-match --db "$DB" -k 4 <"$TESTDIR/q" >out 2>err
	must_be_empty err
	test "$(lines out)" -eq "$(lines "$TESTDIR/kb")"
	jq -e -s --argjson n "$(lines "$TESTDIR/kb")" 'all(.[];
		(.matches | length) == 4 and .match.index_size == $n)' out \
		>/dev/null || fail "$BACKEND: not 4 matches from the whole index"
	jq -c 'del(.match.ms)' out >"$BACKEND.out"
	# The environment names the database as well as --db does.
	DATABASE_URL=$DB inc-match -k 4 <"$TESTDIR/q" | jq -c 'del(.match.ms)' >env1
	cmp_expect "$BACKEND.out" env1
	INC_DB=$DB inc-match -k 4 <"$TESTDIR/q" | jq -c 'del(.match.ms)' >env2
	cmp_expect "$BACKEND.out" env2
	cp "$BACKEND.out" "$TESTDIR/$BACKEND.out"
}
for_each_db t
cmp_expect "$TESTDIR/sqlite.out" "$TESTDIR/postgresql.out"
# Every title finds its own runbook first, on both.
jq -e -s 'all(.[]; .matches[0].id == (.id | ltrimstr("q-")))' \
	"$TESTDIR/postgresql.out" >/dev/null
