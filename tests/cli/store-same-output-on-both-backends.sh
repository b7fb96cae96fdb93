#!/bin/sh
# inc-store gives the same records, events, lists and stats on SQLite and
# on PostgreSQL, apart from the backend's name and the clock.
. "${0%/*}/../testlib.sh"
[ -n "${INC_TEST_PG_URL:-}" ] ||
	skip "no PostgreSQL cluster (INC_TEST_PG_URL): nothing to compare"

printf '%s\n' \
 '{"id":"sb-1","title":"db down","severity":"HIGH","source":"grafana","classification":{"method":"rag"},"reported_at":"2026-01-01T00:00:00Z"}' \
 '{"id":"sb-2","title":"slow api","severity":"LOW","team":"api"}' \
 '{"id":"sb-1","title":"db down","severity":"HIGH","source":"grafana","classification":{"method":"rag"},"reported_at":"2026-01-01T00:00:00Z","slack":{"channel":"C1"}}' \
 '{"id":"sb-3","title":"alert","metadata":{"alert":{"status":"resolved","endsAt":"2026-01-01T02:00:00Z"}},"reported_at":"2026-01-01T00:00:00Z"}' \
 '{"id":"sb-k","kind":"kb","title":"Runbook","resolution":"restart","embedding":{"model":"m","dim":1,"vector":[0.5]}}' \
 '{"title":"no id"}' >"$TESTDIR/in"

# What the clock and the backend decide is replaced by placeholders.
norm='walk(if type == "object" then with_entries(
	if (.key | test("_at$|^at$")) and (.value | type) == "string" and
	   (.value | startswith("2026-01-01") | not) then .value = "T"
	elif .key == "backend" then .value = "B" else . end) else . end)'

t() {
	inc-store --db "$DB" <"$TESTDIR/in" | jq -c "$norm" >pipe
	inc-store --db "$DB" ack sb-2 --by fred | jq -c "$norm" >ack
	inc-store --db "$DB" resolve sb-1 --resolution fixed | jq -c "$norm" >res
	for id in sb-1 sb-2 sb-3; do
		inc-store --db "$DB" events $id
	done | jq -c "$norm" >events
	inc-store --db "$DB" list -f jsonl | jq -c "$norm" >list
	inc-store --db "$DB" list -f table | sed 's/[0-9-]*T[0-9:]*Z/T/' >table
	inc-store --db "$DB" stats | jq -c 'del(.mtta_seconds, .mttr_seconds)' >stats
	inc-store --db "$DB" get sb-k | jq -c "$norm" >kb
	cat pipe ack res events list table stats kb >all
}
for_each_db t
cmp_expect "$TESTDIR/sqlite/all" "$TESTDIR/pg/all"
# Not empty: 6 records, ack, resolve, 7 events, 3 listed, a table of
# 4 lines, the stats and the kb record.
test "$(lines "$TESTDIR/pg/all")" -eq 24
