#!/bin/sh
# inc-embed keeps several requests in flight (INC_EMBED_CONCURRENCY) and still writes the records in input order when the requests finish in reverse.
. "${0%/*}/../testlib.sh"
# The first request to arrive answers last: 800, 600, 400, 200 ms.
start_embeddings --delay 800,600,400,200
printf '%s\n' \
 '{"id":"s-1","title":"database connection pool exhausted"}' \
 '{"id":"s-2","title":"TLS certificate expired"}' \
 '{"id":"s-3","title":"disk full on db-01"}' \
 '{"id":"s-4","title":"dns lookups time out"}' >in
start=$(date +%s%N)
INC_EMBED_CONCURRENCY=4 inc-embed --backend openai --batch 1 <in >out 2>err
ms=$(( ($(date +%s%N) - start) / 1000000 ))
must_be_empty err
test "$(jq -r .id out | tr '\n' ' ')" = "s-1 s-2 s-3 s-4 "
check_vectors out
test "$(lines log)" -eq 4
# All four were in flight at once: each started before any ended ...
jq -e -s '(map(.start) | max) < (map(.end) | min)' log >/dev/null ||
	fail "the requests did not overlap: $(jq -c '[.n, .start, .end]' log)"
# ... and they ended in the reverse of their arrival.
test "$(jq -s -c 'sort_by(.end) | map(.n)' log)" = "[4,3,2,1]"
# So the whole run took about the longest delay, not the sum (2 s).
[ "$ms" -lt 1600 ] || fail "took $ms ms: the requests ran one by one"
# With INC_EMBED_CONCURRENCY=1 they run one at a time.
: >log
INC_EMBED_CONCURRENCY=1 inc-embed --backend openai --batch 1 <in >out1
cmp out out1
test "$(lines log)" -eq 4
jq -e -s 'sort_by(.n) as $r |
	all(range(1; $r | length); $r[.].start >= $r[. - 1].end)' log >/dev/null ||
	fail "requests overlapped with a concurrency of 1"
