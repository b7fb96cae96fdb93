#!/bin/sh
# inc-embed writes each record before it waits for more input, so an interactive pipe answers at once, on the openai backend too (a batch is sent as soon as input would block).
. "${0%/*}/../testlib.sh"
start_embeddings
# wait_lines N FILE: up to 3 s for FILE to have N lines.
wait_lines() {
	i=0
	while [ "$(lines "$2")" -lt "$1" ] && [ $i -lt 30 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	test "$(lines "$2")" -eq "$1" || fail "$2 has $(lines "$2") lines, not $1"
}
for backend in local openai; do
	rm -f in out
	mkfifo in
	inc-embed --backend $backend --batch 64 <in >out &
	pid=$!
	when_finished "kill $pid 2>/dev/null"
	exec 3>in
	echo '{"id":"i-1","title":"db-01 disk full"}' >&3
	# The writer still holds the pipe open: the record came out without EOF.
	wait_lines 1 out
	jqtest '.id=="i-1" and .embedding.dim > 0' out
	echo '{"id":"i-2","title":"dns lookups time out"}' >&3
	wait_lines 2 out
	jqtest '.id=="i-2" and .embedding.dim > 0' out
	exec 3>&-
	wait $pid
done
# The openai run sent one request per record, as each came.
test "$(lines log)" -eq 2
test "$(jq -c -s 'map(.inputs)' log)" = '[["db-01 disk full"],["dns lookups time out"]]'
