#!/bin/sh
# Storing a record again unchanged (as a replayed spool entry does)
# creates no event and keeps the version, also after an ack.
. "${0%/*}/../testlib.sh"

t() {
	rec='{"id":"rp-1","title":"queue backlog","severity":"MEDIUM","metadata":{"n":1.5,"l":["a","é"]}}'
	echo "$rec" | inc-store --db "$DB" >out1
	echo "$rec" | inc-store --db "$DB" >out2
	cmp_expect out1 out2
	inc-store --db "$DB" ack rp-1 --by carol >/dev/null
	# The replay still says "open": the stored lifecycle wins, and the
	# same record in other spelling is still the same record.
	printf '%s\n' "$rec" '{ "title" : "queue backlog", "id":"rp-1", "metadata":{"l":["a","\u00e9"],"n":1.5},"severity":"MEDIUM"}' |
		inc-store --db "$DB" >out3
	jqtest '.status=="acknowledged" and .store.version==2 and
		.acknowledged_by=="carol"' out3
	test "$(jq -s 'map(.store.version) | unique | length' out3)" -eq 1
	test "$(inc-store --db "$DB" events rp-1 | lines /dev/stdin)" -eq 2
	test "$(db_sql "SELECT version FROM incidents WHERE id = 'rp-1'")" = 2
}
for_each_db t
