#!/bin/sh
# inc-classify treats an answer whose content is prose, not JSON, as outside the schema: asked once more, then the next provider, then the rules.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'LOW 0.33 .' >rules
printf '%s\n' '{"id":"n-1","title":"Payments outage [[n-1]]"}' >in
export GROQ_API_KEY=gsk-test-key
start_chat groq --not-json
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
export GROQ_BASE_URL OPENAI_BASE_URL
OPENAI_API_KEY=sk-test-key inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
test "$(lines openai.log)" -eq 1
jq -e '.classification.provider == "openai" and .severity == "HIGH" and
	.errors == null' out >/dev/null || fail "$(cat out)"
# Prose once, then JSON: Groq's second answer.
: >openai.log
start_chat groq --not-json --times 1
GROQ_BASE_URL=$chat/openai/v1
OPENAI_API_KEY=sk-test-key inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
must_be_empty openai.log
jqtest '.classification.provider == "groq" and .severity == "HIGH"' out
# Both providers answer prose: the rules, with a note.
start_chat groq --not-json
GROQ_BASE_URL=$chat/openai/v1
start_chat openai --not-json
OPENAI_BASE_URL=$chat/v1
OPENAI_API_KEY=sk-test-key inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
test "$(lines openai.log)" -eq 2
jq -e '.severity == "LOW" and .classification.method == "rules" and
	.errors[0].stage == "inc-classify" and
	(.errors[0].error | test("groq") and test("openai"))' out >/dev/null ||
	fail "$(cat out)"
