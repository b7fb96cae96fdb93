#!/bin/sh
# inc-match exits 69 with "open WHERE: reason" and writes nothing when it cannot open the store, and never shows a password.
. "${0%/*}/../testlib.sh"
echo '{"id":"s-1","title":"x","embedding":{"model":"m","dim":1,"vector":[1]}}' >in
expect_code 69 inc-match --db "$TESTDIR/no/such/dir/x.db" <in >out 2>err
must_be_empty out
grep -q "^inc-match: open $TESTDIR/no/such/dir/x.db: " err
expect_code 69 inc-match -d 'postgresql://bob:s3cret@/nodb?host=/nonexistent' \
	<in >out 2>err
must_be_empty out
grep -q '^inc-match: open postgresql://bob:\*\*\*@/nodb?host=/nonexistent: ' err
! grep -q s3cret err
expect_code 69 env DATABASE_URL='postgresql:///x?host=/nonexistent&password=hunter2' \
	inc-match <in >out 2>err
must_be_empty out
! grep -q hunter2 err
echo 'not a database' >junk.db
expect_code 69 env INC_DB=junk.db inc-match <in >out 2>err
must_be_empty out
grep -q '^inc-match: open junk.db: ' err
