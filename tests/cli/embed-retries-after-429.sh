#!/bin/sh
# inc-embed waits as a 429 answer's Retry-After says and tries again: the record is embedded and the server saw the retry.
. "${0%/*}/../testlib.sh"
start_embeddings --rate-limit 1 --retry-after 1
printf '%s\n' \
 '{"id":"r-1","title":"db-01 disk full"}' \
 '{"id":"r-2","title":"dns lookups time out"}' >in
inc-embed --backend openai --strict <in >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "r-1 r-2 "
jq -e -s 'all(.[]; .errors == null and .embedding.dim == 8)' out >/dev/null ||
	fail "not embedded after the retry: $(cat out)"
check_vectors out
test "$(jq -c -s 'map(.status)' log)" = "[429,200]"
# The same request again, one second later as Retry-After asked.
test "$(sed -n 1p log | jq -c .body)" = "$(sed -n 2p log | jq -c .body)"
jq -e -s '.[1].start - .[0].end >= 0.95' log >/dev/null ||
	fail "retried too early: $(jq -c '[.start, .end]' log)"
jq -e -s '.[1].start - .[0].end < 3' log >/dev/null
# INC_EMBED_ATTEMPTS=1 does not retry: the 429 is the record's error.
"$PY" "$TOP/tests/stub/embeddings.py" --log log2 --rate-limit 5 >port2 &
when_finished "kill $! 2>/dev/null"
i=0
until [ -s port2 ]; do i=$((i + 1)); [ $i -le 100 ] || fail "no stub"; sleep 0.05; done
INC_EMBED_URL=http://127.0.0.1:$(head -n 1 port2)/v1 INC_EMBED_ATTEMPTS=1 \
	inc-embed --backend openai <in >out
test "$(lines log2)" -eq 1
jq -e -s 'all(.[]; (.errors[0].error | test("HTTP 429")) and .embedding == null)' \
	out >/dev/null || fail "$(cat out)"
