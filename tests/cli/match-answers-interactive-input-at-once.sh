#!/bin/sh
# inc-match writes each record's matches as soon as its input goes quiet, without waiting for more input or for the end of it.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"i-1","title":"disk full"}' | inc-embed >one
echo '{"id":"i-2","title":"no embedding"}' >two
mkfifo fifo
inc-match >out 2>err <fifo &
pid=$!
when_finished "kill $pid 2>/dev/null"
exec 3>fifo
for f in one two; do
	want=$(($(lines out) + 1))
	cat $f >&3
	i=0
	while [ "$(lines out)" -lt $want ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	test "$(lines out)" -eq $want || fail "no answer to $f within 5 s"
done
jqtest '.id == "i-1" and .matches[0].id == "kb-disk-full"' out
jqtest '.id == "i-2" and (.errors[0].error | test("run inc-embed first"))' out
exec 3>&-
wait $pid
must_be_empty err
