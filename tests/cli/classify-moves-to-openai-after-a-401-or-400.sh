#!/bin/sh
# inc-classify does not retry a 401 or a 400 from Groq: it asks OpenAI at once and uses its answer (provider openai).
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
printf '%s\n' '{"id":"a-1","title":"Payments outage [[a-1]]"}' >in
export GROQ_API_KEY=gsk-bad-key OPENAI_API_KEY=sk-test-key
for code in 401 400; do
	start_chat groq --status $code
	GROQ_BASE_URL=$chat/openai/v1
	start_chat openai
	OPENAI_BASE_URL=$chat/v1
	export GROQ_BASE_URL OPENAI_BASE_URL
	inc-classify --strict <in >out 2>err
	test "$(lines groq.log)" -eq 1 ||
		fail "$code: Groq was asked $(lines groq.log) times"
	test "$(lines openai.log)" -eq 1
	jq -e '.severity == "HIGH" and .classification.method == "llm" and
		.classification.provider == "openai" and
		.classification.model == "gpt-4o-mini" and .errors == null' out \
		>/dev/null || fail "$code: $(cat out)"
	if grep -q 'gsk-bad-key' out err; then fail "the key was shown"; fi
done
