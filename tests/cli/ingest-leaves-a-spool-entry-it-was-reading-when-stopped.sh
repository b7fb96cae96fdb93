#!/bin/sh
# On SIGTERM in the middle of a spool entry, inc-ingest sends none of it, keeps it in cur/ for the next start to replay whole, and neither calls it empty nor moves it to bad/.
. "${0%/*}/../testlib.sh"
spool=spool
mkdir -p "$spool/new" "$spool/cur" "$spool/tmp" "$spool/bad"
e=1700000000.1.P1Q1.h
# An entry that is still being read when the signal comes: a fifo whose
# writer has sent two records and not yet the rest.
mkfifo "$spool/new/$e"
inc-ingest -q --spool "$spool" >out 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
i=0
while ! test -p "$spool/cur/$e" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
test -p "$spool/cur/$e" || fail "inc-ingest did not claim the entry"
exec 3>"$spool/cur/$e"
echo '{"id":"half-1","description":"web-1 down"}' >&3
echo '{"id":"half-2","description":"web-2 down"}' >&3
sleep 0.3
term_wait $pid
exec 3>&-
test "$rc" -eq 0 || fail "exit $rc after SIGTERM"
must_be_empty out
must_be_empty err
test -p "$spool/cur/$e" || fail "the entry left cur/: $(ls -R "$spool")"
test -z "$(ls "$spool/bad")" || fail "moved to bad/: $(ls "$spool/bad")"
# The next start replays it, whole this time.
rm "$spool/cur/$e"
printf '%s\n' '{"id":"half-1","description":"web-1 down"}' \
    '{"id":"half-2","description":"web-2 down"}' >"$spool/cur/$e"
inc-ingest -q --spool "$spool" >out
test "$(jq -r '"\(.id) \(.spool.part)/\(.spool.parts)"' out | tr '\n' ' ')" = \
    "half-1 1/2 half-2 2/2 "
