#!/bin/sh
# inc-store exits 69 with "open WHERE: reason" when it cannot open the
# database, and never shows the password of a URL.
. "${0%/*}/../testlib.sh"

expect_code 69 inc-store --db "$TESTDIR/no/such/dir/x.db" list >out 2>err
must_be_empty out
grep -q "^inc-store: open $TESTDIR/no/such/dir/x.db: " err

expect_code 69 inc-store --db 'postgresql://bob:s3cret@/nodb?host=/nonexistent' \
	list 2>err
grep -q '^inc-store: open postgresql://bob:\*\*\*@/nodb?host=/nonexistent: ' err
! grep -q s3cret err
expect_code 69 env DATABASE_URL='postgresql:///x?host=/nonexistent&password=hunter2' \
	inc-store get x 2>err
! grep -q hunter2 err
grep -q 'password=\*\*\*' err

echo 'not a database' >junk.db
expect_code 69 inc-store --db sqlite:junk.db list 2>err
grep -q '^inc-store: open junk.db: ' err
expect_code 69 inc-store --db 'mysql://db/x' list 2>err
grep -q 'not a database URL this program knows' err

# The default lives in the state directory, made private.
echo '{"id":"ud-1"}' | inc-store >/dev/null
test -f "$INC_STATE_DIR/incident.db"
test "$(stat -c %a "$INC_STATE_DIR")" = 700
# DATABASE_URL beats INC_DB, and --db beats both.
echo '{"id":"ud-2"}' | DATABASE_URL=sqlite:a.db INC_DB=b.db inc-store >/dev/null
test -f a.db && test ! -e b.db
echo '{"id":"ud-3"}' | DATABASE_URL=a.db inc-store --db c.db >/dev/null
test -f c.db
expect_code 65 env INC_DB=c.db inc-store get ud-2 2>/dev/null
