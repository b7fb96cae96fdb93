#!/bin/sh
# inc-embed passes each record on with an errors[] entry naming HTTP 500 when the server keeps failing after the retries, and exits 0 (1 with --strict).
. "${0%/*}/../testlib.sh"
start_embeddings --fail-500
printf '%s\n' \
 '{"id":"e-1","title":"db-01 disk full","team":"db"}' \
 '{"id":"e-2","title":"dns lookups time out"}' \
 '{"id":"e-3","title":"TLS certificate expired"}' >in
export INC_EMBED_ATTEMPTS=2
inc-embed --backend openai --batch 2 <in >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "e-1 e-2 e-3 "
jq -e -s 'all(.[]; .embedding == null and (.errors | length) == 1 and
	.errors[0].stage == "inc-embed" and
	(.errors[0].error | test("^embeddings: HTTP 500")))' out >/dev/null ||
	fail "$(cat out)"
jqtest 'select(.id=="e-1") | .team == "db"' out
# Two requests, each tried twice (INC_EMBED_ATTEMPTS), then given up.
test "$(lines log)" -eq 4
test "$(jq -c -s 'map(.status) | unique' log)" = "[500]"
test "$(jq -c -s 'group_by(.inputs) | map(length)' log)" = "[2,2]"
# --strict makes it exit 1; the records are the same.
: >log
expect_code 1 inc-embed --backend openai --batch 2 --strict <in >out2
test "$(jq -c 'del(.errors[].at)' out)" = "$(jq -c 'del(.errors[].at)' out2)"
