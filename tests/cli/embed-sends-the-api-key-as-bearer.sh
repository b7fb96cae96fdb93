#!/bin/sh
# inc-embed sends OPENAI_API_KEY as "Authorization: Bearer KEY", no Authorization header at all without a key, and never shows the key.
. "${0%/*}/../testlib.sh"
# The stand-in server (tests/stub/embeddings.py): every request it gets
# is a line of log; INC_EMBED_URL points at it.
start_stub() {
	"$PY" "$TOP/tests/stub/embeddings.py" --log log "$@" >port &
	when_finished "kill $! 2>/dev/null"
	i=0
	until [ -s port ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "the embeddings stand-in did not start"
		sleep 0.05
	done
	INC_EMBED_URL=http://127.0.0.1:$(head -n 1 port)/v1
	export INC_EMBED_URL
}
start_stub
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
