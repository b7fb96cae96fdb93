#!/bin/sh
# inc-classify --dry-run sends nothing: it prints each request it would send as JSON on stderr, the key masked, and classifies by the rules with classification.dry_run true.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
start_chat groq
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
export GROQ_BASE_URL OPENAI_BASE_URL GROQ_API_KEY=gsk-test-secret-value \
	OPENAI_API_KEY=sk-test-secret-value
echo 'LOW 0.33 .' >rules
printf '%s\n' \
 '{"id":"y-1","title":"Payments outage [[y-1]]"}' \
 '{"id":"y-2","title":"Search is slow [[y-2]]","description":"p99 above 2 s"}' \
 '{"id":"y-3","title":"TLS certificate expires [[y-3]]"}' >in
inc-classify --rules rules --dry-run --strict <in >out 2>err
must_be_empty groq.log
must_be_empty openai.log
test "$(jq -r .id out | tr '\n' ' ')" = "y-1 y-2 y-3 "
jq -e -s 'all(.[]; .classification.method == "rules" and
	.classification.dry_run == true and .severity == "LOW" and
	.errors == null)' out >/dev/null || fail "$(cat out)"
# One JSON line per request: Groq's, the first provider.
test "$(lines err)" -eq 3 || fail "stderr: $(cat err)"
jq -e -s 'all(.[]; .method == "POST" and
	.url == (env.GROQ_BASE_URL + "/chat/completions") and
	.headers.Authorization == "Bearer *" and
	.body.model == "openai/gpt-oss-20b" and
	.body.response_format.json_schema.strict == true and
	(.body.messages | map(.role)) == ["system", "user"])' err >/dev/null ||
	fail "stderr: $(cat err)"
test "$(jq -r -s 'map(.body.messages[1].content | capture("(?<t>\\[\\[y-[0-9]\\]\\])").t) | join(" ")' err)" = \
	"[[y-1]] [[y-2]] [[y-3]]"
if grep -q 'secret' err out; then fail "a key was shown"; fi
