#!/bin/sh
# inc-classify retries a 500 up to INC_LLM_ATTEMPTS tries, then asks OpenAI; when that fails too the rules decide, the record says why in errors[], and --strict exits 1.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'LOW 0.33 .' >rules
printf '%s\n' \
 '{"id":"f-1","title":"Payments outage [[f-1]]","team":"pay"}' \
 '{"id":"f-2","title":"Search is slow [[f-2]]"}' >in
export GROQ_API_KEY=gsk-test-key OPENAI_API_KEY=sk-test-key
start_chat groq --status 500
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
export GROQ_BASE_URL OPENAI_BASE_URL
# Three tries each by default (INC_LLM_ATTEMPTS), then OpenAI.
inc-classify --rules rules --strict <in >out 2>err
test "$(lines groq.log)" -eq 6 || fail "Groq was asked $(lines groq.log) times"
test "$(lines openai.log)" -eq 2
test "$(jq -r .id out | tr '\n' ' ')" = "f-1 f-2 "
jq -e -s 'all(.[]; .classification.provider == "openai" and .errors == null)
	and map(.severity) == ["HIGH", "MEDIUM"]' out >/dev/null || fail "$(cat out)"
# OpenAI fails too: the rules, with a note naming both failures.
start_chat openai --status 500
OPENAI_BASE_URL=$chat/v1
: >groq.log
export INC_LLM_ATTEMPTS=2
inc-classify --rules rules <in >out 2>err
test "$(lines groq.log)" -eq 4
test "$(lines openai.log)" -eq 4
test "$(jq -r .id out | tr '\n' ' ')" = "f-1 f-2 "
jq -e -s 'all(.[]; .severity == "LOW" and .classification.method == "rules" and
	.classification.confidence == 0.33 and (.errors | length) == 1 and
	.errors[0].stage == "inc-classify" and (.errors[0].at | type) == "string" and
	(.errors[0].error | test("groq: HTTP 500") and test("openai: HTTP 500") and
	test("rules")))' out >/dev/null || fail "$(cat out)"
jqtest 'select(.id=="f-1") | .team == "pay"' out
expect_code 1 inc-classify --rules rules --strict <in >out2 2>/dev/null
test "$(jq -c 'del(.errors[].at, .classification.ms)' out)" = \
	"$(jq -c 'del(.errors[].at, .classification.ms)' out2)"
