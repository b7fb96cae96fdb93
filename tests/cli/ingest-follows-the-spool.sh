#!/bin/sh
# inc-ingest --spool --follow emits an entry as soon as it arrives in new/ and stops cleanly on SIGTERM.
. "${0%/*}/../testlib.sh"
mkdir -p spool/new spool/cur spool/tmp
inc-ingest --spool spool --follow >out 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
sleep 0.3
# An entry is written to tmp/ and renamed into new/, as inc-httpd does.
echo '{"id":"live-1","description":"arrived while following"}' >spool/tmp/900.1.P1Q1.h
mv spool/tmp/900.1.P1Q1.h spool/new/
i=0
while [ "$(lines out)" -lt 1 ] && [ $i -lt 40 ]; do sleep 0.1; i=$((i + 1)); done
jqtest '.id=="live-1" and .spool.name=="900.1.P1Q1.h"' out
test -f spool/cur/900.1.P1Q1.h
term_wait $pid
test "$rc" -eq 0 || fail "exit $rc after SIGTERM"
must_be_empty err
