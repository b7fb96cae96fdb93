#!/bin/sh
# inc-store commits and writes a record as soon as its input goes quiet,
# without waiting for more input or for the end of it.
. "${0%/*}/../testlib.sh"

t() {
	rm -f fifo out
	mkfifo fifo
	inc-store --db "$DB" >out <fifo &
	pid=$!
	exec 3>fifo
	echo '{"id":"ia-1","title":"now"}' >&3
	i=0
	while [ ! -s out ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	test -s out || fail "no answer within 5 s"
	# Stored, not only written: another process sees it already.
	inc-store --db "$DB" get ia-1 >got
	jqtest '.title=="now"' got
	exec 3>&-
	wait $pid
}
for_each_db t
