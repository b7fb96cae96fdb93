#!/bin/sh
# inc-store keeps one row per id: a record with a known id replaces the
# stored one, bumps its version, and is passed on with `store`.
. "${0%/*}/../testlib.sh"

t() {
	printf '%s\n' '{"id":"up-1","title":"disk full","severity":"HIGH"}' \
		'{"id":"up-2","title":"cpu hot"}' >in1
	inc-store --db "$DB" <in1 >out1
	test "$(lines out1)" -eq 2
	jqtest "select(.id==\"up-1\") | .store.backend==\"$BACKEND\" and
		.store.version==1 and .status==\"open\" and
		(.store.stored_at | test(\"^[0-9-]+T[0-9:.]+Z$\"))" out1
	printf '%s\n' '{"id":"up-1","title":"disk really full","severity":"HIGH"}' |
		inc-store --db "$DB" >out2
	jqtest '.store.version==2 and .title=="disk really full"' out2
	inc-store --db "$DB" get up-1 >got
	jqtest '.title=="disk really full" and .store.version==2' got
	inc-store --db "$DB" list --format jsonl >all
	test "$(lines all)" -eq 2
	test "$(db_sql "SELECT count(*) FROM incidents WHERE id = 'up-1'")" = 1
	test "$(db_sql "SELECT title FROM incidents WHERE id = 'up-1'")" = \
		"disk really full"
}
for_each_db t
