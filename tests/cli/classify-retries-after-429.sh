#!/bin/sh
# inc-classify waits as a 429's retry-after says and asks the same provider again: the answer is Groq's and OpenAI is not asked.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
start_chat groq --rate-limit 1 --retry-after 1
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
export GROQ_BASE_URL OPENAI_BASE_URL GROQ_API_KEY=gsk-test-key \
	OPENAI_API_KEY=sk-test-key
printf '%s\n' '{"id":"w-1","title":"Payments outage [[w-1]]"}' >in
inc-classify --strict <in >out 2>err
test "$(jq -c -s 'map(.status)' groq.log)" = "[429,200]" ||
	fail "Groq answered $(jq -c -s 'map(.status)' groq.log)"
must_be_empty openai.log
jq -e '.classification.provider == "groq" and .severity == "HIGH" and
	.classification.summary == "stub: HIGH [[w-1]]" and .errors == null' \
	out >/dev/null || fail "$(cat out)"
# The same request, a second later as retry-after asked.
test "$(sed -n 1p groq.log | jq -c .body)" = "$(sed -n 2p groq.log | jq -c .body)"
jq -e -s '.[1].start - .[0].end >= 0.95' groq.log >/dev/null ||
	fail "retried too early: $(jq -c '[.start, .end]' groq.log)"
jq -e -s '.[1].start - .[0].end < 3' groq.log >/dev/null ||
	fail "retried too late: $(jq -c '[.start, .end]' groq.log)"
# INC_LLM_ATTEMPTS=1: the 429 is final for Groq, and OpenAI answers.
: >openai.log
start_chat groq --rate-limit 5
GROQ_BASE_URL=$chat/openai/v1
INC_LLM_ATTEMPTS=1 inc-classify <in >out 2>err
test "$(lines groq.log)" -eq 1
test "$(lines openai.log)" -eq 1
jqtest '.classification.provider == "openai"' out
