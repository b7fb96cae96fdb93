#!/bin/sh
# inc-classify, when Groq fails and OpenAI has no key, says both in the errors[] note: "groq: HTTP 500...; openai: not configured: classified by rules".
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'LOW 0.33 .' >rules
printf '%s\n' '{"id":"u-1","title":"Payments outage [[u-1]]"}' >in
export GROQ_API_KEY=gsk-test-key INC_LLM_ATTEMPTS=2
start_chat groq --status 500
export GROQ_BASE_URL=$chat/openai/v1
inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
jq -e '.classification.method == "rules" and (.errors | length) == 1 and
	(.errors[0].error | test("groq: HTTP 500") and
	test("openai: not configured") and test("classified by rules$"))' out \
	>/dev/null || fail "$(jq -c .errors out)"
# A hung Groq the same.
start_chat groq --hang
GROQ_BASE_URL=$chat/openai/v1 INC_LLM_TIMEOUT_MS=300 INC_LLM_ATTEMPTS=1 \
	inc-classify --rules rules <in >out 2>err
jq -e '(.errors[0].error | test("^groq: .*openai: not configured"))' out \
	>/dev/null || fail "$(jq -c .errors out)"
