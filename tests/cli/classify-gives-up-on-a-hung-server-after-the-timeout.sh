#!/bin/sh
# inc-classify gives up on a server that never answers after INC_LLM_TIMEOUT_MS and asks the next provider, then the rules: the run ends in seconds.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'LOW 0.33 .' >rules
printf '%s\n' '{"id":"h-1","title":"Payments outage [[h-1]]"}' >in
export GROQ_API_KEY=gsk-test-key OPENAI_API_KEY=sk-test-key \
	INC_LLM_TIMEOUT_MS=500 INC_LLM_ATTEMPTS=2
start_chat groq --hang
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
export GROQ_BASE_URL OPENAI_BASE_URL
t0=$(date +%s%N)
timeout 20 inc-classify --rules rules <in >out 2>err ||
	fail "exit $? after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(lines groq.log)" -ge 1 ] || fail "Groq was not asked"
test "$(lines openai.log)" -eq 1
jq -e '.classification.provider == "openai" and .severity == "HIGH" and
	.errors == null' out >/dev/null || fail "$(cat out)"
# Two tries of half a second and a pause between them: well under 5 s.
[ "$ms" -lt 5000 ] || fail "took $ms ms"
[ "$ms" -ge 500 ] || fail "took $ms ms: did not wait for the timeout"
# Both hang: the rules, with a note, still in seconds.
start_chat openai --hang
OPENAI_BASE_URL=$chat/v1
t0=$(date +%s%N)
timeout 20 inc-classify --rules rules <in >out 2>err ||
	fail "exit $? after $(( ($(date +%s%N) - t0) / 1000000 )) ms"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
jq -e '.classification.method == "rules" and .severity == "LOW" and
	.errors[0].stage == "inc-classify" and
	(.errors[0].error | test("groq") and test("openai"))' out >/dev/null ||
	fail "$(cat out)"
[ "$ms" -lt 9000 ] || fail "took $ms ms"
