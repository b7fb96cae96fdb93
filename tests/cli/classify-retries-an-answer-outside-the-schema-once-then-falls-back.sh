#!/bin/sh
# inc-classify asks the same provider once more when the answer's content is outside the schema, then the next provider, then falls to the rules with an errors[] note.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'LOW 0.33 .' >rules
printf '%s\n' '{"id":"s-1","title":"Payments outage [[s-1]]"}' >in
export GROQ_API_KEY=gsk-test-key
# Each way of being outside the schema: Groq twice, then OpenAI's answer.
for what in severity confidence confidence-string summary suggestions; do
	start_chat groq --bad-schema "$what"
	GROQ_BASE_URL=$chat/openai/v1
	start_chat openai
	OPENAI_BASE_URL=$chat/v1
	export GROQ_BASE_URL OPENAI_BASE_URL
	OPENAI_API_KEY=sk-test-key inc-classify --rules rules <in >out 2>err
	test "$(lines groq.log)" -eq 2 ||
		fail "$what: Groq was asked $(lines groq.log) times"
	test "$(lines openai.log)" -eq 1 ||
		fail "$what: OpenAI was asked $(lines openai.log) times"
	jq -e '.severity == "HIGH" and .classification.method == "llm" and
		.classification.provider == "openai" and
		.classification.summary == "stub: HIGH [[s-1]]"' out >/dev/null ||
		fail "$what: $(cat out)"
done
# A bad first answer and a good second one: Groq's second answer is used.
start_chat groq --bad-schema --times 1
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
OPENAI_API_KEY=sk-test-key inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
must_be_empty openai.log
jq -e '.classification.provider == "groq" and .severity == "HIGH" and
	.errors == null' out >/dev/null || fail "$(cat out)"
# Groq only, bad twice: the rules decide, and the record says why.
: >openai.log
start_chat groq --bad-schema
GROQ_BASE_URL=$chat/openai/v1
inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 2
jq -e '.severity == "LOW" and .classification.method == "rules" and
	.classification.confidence == 0.33 and (.errors | length) == 1 and
	.errors[0].stage == "inc-classify" and
	(.errors[0].error | test("groq") and test("rules"))' out >/dev/null ||
	fail "$(cat out)"
expect_code 1 inc-classify --rules rules --strict <in >/dev/null 2>&1
