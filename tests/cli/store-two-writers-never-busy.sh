#!/bin/sh
# Two inc-store processes writing one database at once (the workflow has
# two) both finish without a busy error, and every record is stored once.
. "${0%/*}/../testlib.sh"

# Two streams of 3000 records; ids 2000..2999 are in both.
awk 'BEGIN { for (i = 0; i < 3000; i++)
	printf "{\"id\":\"tw-%04d\",\"title\":\"incident %d\",\"description\":\"%0300d\"}\n", i, i, i }' >"$TESTDIR/a"
awk 'BEGIN { for (i = 2000; i < 5000; i++)
	printf "{\"id\":\"tw-%04d\",\"title\":\"incident %d\",\"description\":\"%0300d\"}\n", i, i, i }' >"$TESTDIR/b"

# Both start on a database that does not exist yet: they race to create
# and migrate it too.
t() {
	inc-store --db "$DB" <"$TESTDIR/a" >out.a 2>err.a &
	pa=$!
	inc-store --db "$DB" <"$TESTDIR/b" >out.b 2>err.b &
	pb=$!
	wait $pa || fail "first writer failed: $(cat err.a)"
	wait $pb || fail "second writer failed: $(cat err.b)"
	must_be_empty err.a
	must_be_empty err.b
	test "$(lines out.a)" -eq 3000
	test "$(lines out.b)" -eq 3000
	! grep -q '"errors"' out.a out.b
	test "$(db_sql 'SELECT count(*) FROM incidents')" -eq 5000
	# The shared ids were created once: the second store saw the first.
	test "$(db_sql "SELECT count(*) FROM events WHERE type = 'created'")" \
		-eq 5000
	test "$(db_sql "SELECT count(*) FROM events")" -eq 5000
	test "$(db_sql 'SELECT max(version) FROM incidents')" -eq 1
}
for_each_db t
