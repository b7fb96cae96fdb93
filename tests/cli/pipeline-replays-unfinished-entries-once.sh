#!/bin/sh
# When a stage is killed mid-stream, inc-pipeline stops the others and exits non-zero; started again, it replays the entries not yet acknowledged, and each report is stored exactly once.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null

# drop FROM TO: reports FROM..TO into the spool, the way inc-httpd does,
# with no id: the ids come from the entry names, the same on a replay.
drop() {
	n=$1
	while [ "$n" -le "$2" ]; do
		e=1700000000.$n.P77Q$n.h
		spool_put "$spool" "$e" "{\"description\":\"host-$n disk full\"}"
		n=$((n + 1))
	done
}
stored() { inc-store stats | jq .incidents; }
# The last stage of that name: with integration stages installed, the
# pipe has a second inc-store, the one that acks, at its end.
stage() {
	_p=$(pgrep -P "$1" -x "$2" | sort -n | tail -n 1)
	[ -n "$_p" ] && echo "$_p"
}

inc-pipeline >out1 2>err1 &
pid=$!
when_finished "kill $pid 2>/dev/null"
wait_for 5 'stage $pid inc-store >/dev/null'
drop 1 10
wait_for 5 '[ "$(stored)" -eq 10 ] && [ "$(spooled "$spool")" -eq 0 ]'

# Hold the last stage so that records pile up in the pipes, then kill a
# stage in the middle, and the held one.
store=$(stage $pid inc-store)
kill -STOP "$store"
drop 11 60
wait_for 5 '[ -z "$(ls "$spool/new")" ]'
sleep 0.3
kill -KILL "$(stage $pid inc-match)"
sleep 0.2
# With the integration stages between them, the pipes past inc-match
# may hold every report: the acking stage dies too, so some are left.
kill -KILL "$store"
set +e
wait $pid
rc=$?
set -e
test "$rc" -ne 0 || fail "exit 0 after a stage was killed"
grep -q '^inc-pipeline: inc-match: killed by signal 9$' err1 ||
	{ cat err1 >&2; fail "no word on the killed stage"; }
! kill -0 "$store" 2>/dev/null || fail "inc-store left running"
test "$(spooled "$spool")" -gt 0 || fail "nothing left to replay: not mid-stream"

inc-pipeline >out2 2>err2 &
pid=$!
wait_for 5 '[ "$(stored)" -eq 60 ] && [ "$(spooled "$spool")" -eq 0 ]'
kill -TERM $pid
wait $pid
must_be_empty err2
inc-store list --limit 1000 | jq -r .id >ids
test "$(lines ids)" -eq 60
while read -r id; do
	n=$(inc-store events "$id" | jq -s 'map(select(.type=="created")) | length')
	test "$n" -eq 1 || fail "$id: $n created events"
done <ids
