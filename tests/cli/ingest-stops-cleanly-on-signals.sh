#!/bin/sh
# inc-ingest exits quietly when its reader goes away (SIGPIPE) and, on SIGTERM, finishes the record in hand and exits 0 without a half line.
. "${0%/*}/../testlib.sh"
$PY -c '
import json
for i in range(200000):
    print(json.dumps({"id": "big-%d" % i, "description": "record %d %s" % (i, "x" * 200)}))
' >big.jsonl
# SIGPIPE: `| head -1` gets one line, and inc-ingest says nothing.
inc-ingest big.jsonl 2>err | head -n 1 >first
jqtest '.id=="big-0"' first
must_be_empty err
# SIGTERM mid-stream: every line written is whole JSON.
mkfifo in
inc-ingest <in >out 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
exec 3>in
echo 'not json {' >&3
head -n 999 big.jsonl >&3
i=0
while [ "$(lines out)" -lt 1000 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
term_wait $pid
exec 3>&-
# Even after a rejected line: a stop asked for is not a failure.
test "$rc" -eq 0 || fail "exit $rc after SIGTERM"
test "$(lines out)" -eq 1000
jq -c . out >/dev/null || fail "a half line in the output"
