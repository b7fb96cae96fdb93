#!/bin/sh
# inc-embed gives up at once on a 424 from text-embeddings-inference (not an embedding model) and passes each record on with an errors[] entry naming it.
. "${0%/*}/../testlib.sh"
start_embeddings --tei-424
printf '%s\n' \
 '{"id":"t-1","title":"db-01 disk full"}' \
 '{"id":"t-2","title":"dns lookups time out"}' >in
inc-embed --backend openai <in >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "t-1 t-2 "
jq -e -s 'all(.[]; .embedding == null and .errors[0].stage == "inc-embed" and
	(.errors[0].error | test("^embeddings: HTTP 424")) and
	(.errors[0].error | test("not an embedding model")))' out >/dev/null ||
	fail "$(cat out)"
# A 4xx other than 429 is not tried again.
test "$(lines log)" -eq 1
expect_code 1 inc-embed --backend openai --strict <in >/dev/null
