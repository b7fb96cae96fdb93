#!/bin/sh
# inc-embed --dry-run prints each request it would send as JSON on stderr, the key masked, sends nothing, and marks the records embedding.dry_run.
. "${0%/*}/../testlib.sh"
start_embeddings
for i in 1 2 3 4 5; do
	printf '{"id":"n-%s","title":"host-%s down"}\n' $i $i
done >in
OPENAI_API_KEY=sk-test-secret-value INC_EMBED_MODEL=bge-m3 \
	inc-embed --backend openai --batch 2 --dry-run <in >out 2>err
must_be_empty log
test "$(jq -r .id out | tr '\n' ' ')" = "n-1 n-2 n-3 n-4 n-5 "
jq -e -s 'all(.[]; .embedding == {"model": "openai:bge-m3", "dry_run": true}
	and .errors == null)' out >/dev/null || fail "$(cat out)"
# One JSON line per request: 2, 2 and 1 inputs.
test "$(lines err)" -eq 3 || fail "stderr: $(cat err)"
jq -e -s 'all(.[]; .method == "POST" and
	.url == (env.INC_EMBED_URL + "/embeddings") and
	.headers.Authorization == "Bearer *" and .body.model == "bge-m3")' err \
	>/dev/null || fail "stderr: $(cat err)"
test "$(jq -c -s 'map(.body.input)' err)" = \
	'[["host-1 down","host-2 down"],["host-3 down","host-4 down"],["host-5 down"]]'
if grep -q 'secret' err out; then fail "the key was shown"; fi
expect_code 0 env OPENAI_API_KEY=sk-test-secret-value \
	inc-embed --backend openai --dry-run --strict <in >/dev/null 2>&1
must_be_empty log
