#!/bin/sh
# On SIGTERM inc-store commits and writes what it has read, and exits 0.
. "${0%/*}/../testlib.sh"

t() {
	rm -f fifo out
	mkfifo fifo
	inc-store --db "$DB" >out 2>err <fifo &
	pid=$!
	exec 3>fifo
	echo '{"id":"sg-1","title":"before the signal"}' >&3
	i=0
	while [ ! -s out ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	term_wait $pid
	exec 3>&-
	test $rc -eq 0 || fail "exit $rc after SIGTERM"
	must_be_empty err
	jqtest '.id=="sg-1" and .store.version==1' out
	inc-store --db "$DB" get sg-1 >/dev/null
}
for_each_db t
