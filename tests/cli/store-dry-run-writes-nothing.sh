#!/bin/sh
# inc-store --dry-run says on stderr what it would store, marks the
# records, and writes nothing to the database.
. "${0%/*}/../testlib.sh"

t() {
	echo '{"id":"dr-1","title":"kept"}' | inc-store --db "$DB" >/dev/null
	printf '%s\n' '{"id":"dr-1","title":"changed"}' '{"id":"dr-2"}' \
		'{"id":"dr-1","title":"kept"}' >in
	inc-store --db "$DB" --dry-run <in >out 2>err
	test "$(lines out)" -eq 3
	jqtest 'select(.id=="dr-2") | .store.dry_run==true and .store.version==1' out
	test "$(lines err)" -eq 3
	jqtest '.dry_run=="inc-store" and .op=="update" and .id=="dr-1" and
		.version==2 and .events==["updated"]' err
	jqtest '.op=="insert" and .id=="dr-2" and .table=="incidents"' err
	inc-store --db "$DB" get dr-1 >got
	jqtest '.title=="kept" and .store.version==1' got
	expect_code 65 inc-store --db "$DB" get dr-2 2>/dev/null
	test "$(db_sql 'SELECT count(*) FROM events')" = 1
}
for_each_db t
# No database at all: none is created.
echo '{"id":"dr-3"}' | inc-store --db "$TESTDIR/fresh.db" -n >out
jqtest '.store.dry_run==true' out
test ! -e "$TESTDIR/fresh.db"
