#!/bin/sh
# inc-store passes on and stores every key it does not own, unchanged,
# whether the record takes its text path or its jansson path.
. "${0%/*}/../testlib.sh"

t() {
	# Plain; with an escaped key (jansson path); with odd spacing and
	# unicode; with a kind spelled out.
	printf '%s\n' \
	 '{"id":"pk-1","title":"t1","team":"db","x":{"deep":[1,{"y":null}]},"n":-1.5e3,"ok":true}' \
	 '{"id":"pk-2","title":"t2","te\u0061m":"web","x":{"deep":[]}}' \
	 '  { "id" : "pk-3" , "title" : "caf\u00e9 ☕", "team":"data" , "list":[ 1, 2 ] }  ' \
	 '{"id":"pk-4","kind":"incident","title":"t4","errors":[{"stage":"inc-embed","error":"down","at":"2026-01-01T00:00:00Z"}]}' \
	 >in
	inc-store --db "$DB" <in >out
	test "$(lines out)" -eq 4
	jq -c 'del(.store, .status)' in >want
	jq -c 'del(.store, .status)' out >got
	cmp_expect want got
	for id in pk-1 pk-2 pk-3 pk-4; do
		inc-store --db "$DB" get $id | jq -c 'del(.store, .status)' >>stored
	done
	cmp_expect want stored
	# An upstream error is kept, and is not ours.
	jqtest 'select(.id=="pk-4") | (.errors | length)==1' out
	test "$(db_sql "SELECT title FROM incidents WHERE id = 'pk-3'")" = "café ☕"
}
for_each_db t
