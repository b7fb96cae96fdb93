#!/bin/sh
# On SIGTERM inc-pipeline stops every stage within a few seconds and exits 0; a report in flight is either stored and freed or left in the spool.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
inc-pipeline >out 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
i=0
# The last stage starts last; how many run before it depends on which
# integration stages are installed.
while ! pgrep -P $pid -f '^inc-store --ack' >/dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
stages=$(pgrep -P $pid '^inc-' | tr '\n' ' ')
test "$(echo $stages | wc -w)" -ge 5 || fail "stages: $stages"
for n in 1 2 3 4 5 6 7 8 9 10; do
	e=1700000000.$n.P1Q$n.h
	echo "{\"id\":\"st-$n\",\"description\":\"web-$n down\"}" >"$spool/tmp/$e"
	mv "$spool/tmp/$e" "$spool/new/$e"
done
t0=$(date +%s)
term_wait $pid
t1=$(date +%s)
test "$rc" -eq 0 || { cat err >&2; fail "exit $rc after SIGTERM"; }
test $((t1 - t0)) -le 3 || fail "took $((t1 - t0)) s to stop"
for p in $stages; do
	! kill -0 "$p" 2>/dev/null || fail "stage $p still running"
done
must_be_empty err
# Nothing lost: each report is stored, or still in the spool for replay.
for n in 1 2 3 4 5 6 7 8 9 10; do
	e=1700000000.$n.P1Q$n.h
	inc-store get st-$n >/dev/null 2>&1 || test -e "$spool/cur/$e" ||
		test -e "$spool/new/$e" || fail "st-$n neither stored nor spooled"
done
