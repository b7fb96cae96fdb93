#!/bin/sh
# inc-ingest writes each record before it waits for more input, so an interactive pipe answers at once.
. "${0%/*}/../testlib.sh"
mkfifo in
inc-ingest <in >out &
pid=$!
when_finished "kill $pid 2>/dev/null"
exec 3>in
echo '{"id":"first","description":"typed by a person"}' >&3
i=0
while [ "$(lines out)" -lt 1 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
# The writer still holds the pipe open: the record came out without EOF.
jqtest '.id=="first"' out
echo '{"id":"second","description":"and another"}' >&3
i=0
while [ "$(lines out)" -lt 2 ] && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
test "$(lines out)" -eq 2
exec 3>&-
wait $pid
