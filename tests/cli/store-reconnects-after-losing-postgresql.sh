#!/bin/sh
# When PostgreSQL drops its connection (a restart, a failover), inc-store
# connects again and stores the next record without an error.
. "${0%/*}/../testlib.sh"
[ -n "${INC_TEST_PG_URL:-}" ] ||
	skip "no PostgreSQL cluster (INC_TEST_PG_URL): nothing to disconnect"
DB=$("$TOP/tests/pgcluster" newdb) || fail "no fresh PostgreSQL database"

mkfifo fifo
# out and err first: opening the fifo blocks until a writer comes.
inc-store --db "$DB" >out 2>err <fifo &
pid=$!
exec 3>fifo
wait_lines() {
	i=0
	while [ "$(lines out)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(lines out)" -ge "$1" ] || fail "no record $1 within 5 s"
}
echo '{"id":"rc-1"}' >&3
wait_lines 1
psql -X -q -A -t "$DB" -c "SELECT pg_terminate_backend(pid) FROM
	pg_stat_activity WHERE application_name = 'inc-store' AND
	datname = current_database()" >killed
grep -qx t killed || fail "no inc-store connection to terminate"
echo '{"id":"rc-2"}' >&3
wait_lines 2
exec 3>&-
wait $pid
must_be_empty err
! grep -q '"errors"' out
inc-store --db "$DB" get rc-2 >got
jqtest '.id=="rc-2"' got
