#!/bin/sh
# inc-store applies its numbered schema migrations once, at start or with
# `migrate`, and refuses a database newer than it knows.
. "${0%/*}/../testlib.sh"

t() {
	inc-store --db "$DB" migrate >m1
	jqtest ".backend==\"$BACKEND\" and .schema_version==1 and .applied==1" m1
	inc-store --db "$DB" migrate >m2
	jqtest '.schema_version==1 and .applied==0' m2
	echo '{"id":"mg-1"}' | inc-store --db "$DB" >/dev/null
	test "$(db_sql 'SELECT count(*) FROM schema_migrations')" = 1
	test "$(db_sql 'SELECT version FROM schema_migrations')" = 1
	db_sql "INSERT INTO schema_migrations VALUES (99, 'future')"
	expect_code 69 inc-store --db "$DB" list >out 2>err
	must_be_empty out
	grep -q '^inc-store: open .*: schema version 99 is newer than this program knows (1)$' err
}
for_each_db t
