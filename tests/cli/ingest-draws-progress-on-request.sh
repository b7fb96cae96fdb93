#!/bin/sh
# inc-ingest draws a progress line on stderr with --progress, never on stdout, and -q silences it.
. "${0%/*}/../testlib.sh"
$PY -c '
for i in range(3000):
    print("{\"description\":\"line %d\"}" % i)' >in
inc-ingest --progress in >out 2>err
test "$(lines out)" -eq 3000
grep -q 'inc-ingest: [0-9]* records, 0 rejected' err
jq -c . out >/dev/null
inc-ingest -q --progress in >out 2>err
inc-ingest -q in >out 2>err
must_be_empty err
