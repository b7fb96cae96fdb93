#!/bin/sh
# inc-embed --backend openai sends --batch records per request: 7 records with --batch 3 make requests of 3, 3 and 1 inputs, each input the record's title and description.
. "${0%/*}/../testlib.sh"
start_embeddings --dim 12
for i in 1 2 3 4 5 6 7; do
	printf '{"id":"b-%s","title":"host-%s down","description":"ping fails %s"}\n' $i $i $i
done >in
inc-embed --backend openai --batch 3 <in >out 2>err
must_be_empty err
test "$(jq -r .id out | tr '\n' ' ')" = "b-1 b-2 b-3 b-4 b-5 b-6 b-7 "
jq -e -s 'all(.[]; .embedding.dim == 12 and .errors == null and
	.embedding.model == "openai:text-embedding-3-small")' out >/dev/null ||
	fail "not every record is embedded: $(cat out)"
test "$(lines log)" -eq 3 || fail "$(lines log) requests"
# In input order (the requests may arrive in any order): 3, 3, then 1.
test "$(jq -c -s 'sort_by(.inputs[0]) | map(.inputs | length)' log)" = "[3,3,1]"
jq -e -s 'all(.[]; .method == "POST" and .path == "/v1/embeddings" and
	.status == 200 and (.headers["Content-Type"] | startswith("application/json")) and
	.body.model == "text-embedding-3-small" and (.body.input | type) == "array")' \
	log >/dev/null || fail "a request was not as protocols.md §5 says"
# The inputs, across the requests, are the texts of the records in order.
jq -r -s 'sort_by(.inputs[0]) | .[].inputs[]' log >sent
jq -r '.title + "\n\n" + .description' in | awk 'NF' >want_words
awk 'NF' sent >got_words
cmp_expect want_words got_words
# The default batch holds them all in one request.
: >log
inc-embed --backend openai <in >out
test "$(lines log)" -eq 1
test "$(jq -r '.inputs | length' log)" -eq 7
# --batch must be 1..2048.
expect_code 64 inc-embed --backend openai --batch 0 <in >/dev/null 2>err
grep -q '^inc-embed: --batch: must be 1..2048: 0$' err
