#!/bin/sh
# inc-embed sends OPENAI_API_KEY as "Authorization: Bearer KEY", no Authorization header at all without a key, and never shows the key.
. "${0%/*}/../testlib.sh"
start_embeddings
echo '{"id":"a-1","title":"db-01 disk full"}' >in
OPENAI_API_KEY=sk-test-0123456789abcdef inc-embed --backend openai <in >out 2>err
must_be_empty err
jqtest '.embedding.dim == 8' out
test "$(jq -r '.headers.Authorization' log)" = "Bearer sk-test-0123456789abcdef"
# Local servers (Ollama, llama.cpp) need no key: none is sent.
: >log
unset OPENAI_API_KEY
inc-embed --backend openai <in >out 2>err
must_be_empty err
jqtest '.embedding.dim == 8' out
test "$(lines log)" -eq 1
jq -e '.headers | keys | map(ascii_downcase) | index("authorization") | not' log \
	>/dev/null || fail "an Authorization header without a key: $(cat log)"
# An error message does not carry the key either.
: >log
OPENAI_API_KEY=sk-test-0123456789abcdef INC_EMBED_URL=http://127.0.0.1:1/v1 \
	INC_EMBED_ATTEMPTS=1 inc-embed --backend openai <in >out 2>err
jqtest '(.errors[0].error | test("^embeddings: ")) and .embedding == null' out
if grep -q 0123456789abcdef out err; then fail "the key was shown"; fi
