#!/bin/sh
# inc-classify --method forces a route: rules sends nothing, llm asks even with a close match, rag without a close match (or llm without a key) falls to the rules with an errors[] note.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
start_chat groq
GROQ_BASE_URL=$chat/openai/v1
export GROQ_BASE_URL GROQ_API_KEY=gsk-test-key
echo 'LOW 0.33 .' >rules
printf '%s\n' '{"id":"close","title":"Payments outage [[close]]","matches":[{"id":"kb-pay","title":"Payments","severity":"MEDIUM","resolution":"Fail over.","kind":"kb","score":0.97}]}' >close
printf '%s\n' '{"id":"far","title":"Payments outage [[far]]","matches":[{"id":"kb-pay","title":"Payments","severity":"MEDIUM","resolution":"Fail over.","kind":"kb","score":0.5}]}' >far
printf '%s\n' '{"id":"bare","title":"Payments outage [[bare]]"}' >bare
# route FILE ARGS...: "method severity errors" of FILE's one record.
route() {
	_f=$1; shift
	inc-classify --rules rules "$@" <"$_f" >out 2>err
	jq -r '"\(.classification.method) \(.severity) \(.errors | length)"' out
}
test "$(route close)" = "rag MEDIUM 0"
test "$(route far)" = "llm HIGH 0"
must_be_empty err
test "$(lines groq.log)" -eq 1
: >groq.log
test "$(route close --method rules)" = "rules LOW 0"
test "$(route far --method rules)" = "rules LOW 0"
must_be_empty groq.log
test "$(route close --method llm)" = "llm HIGH 0"
test "$(lines groq.log)" -eq 1
: >groq.log
test "$(route close --method rag)" = "rag MEDIUM 0"
test "$(route far --method rag)" = "rules LOW 1"
jq -e '.errors[0].stage == "inc-classify" and (.errors[0].error | length) > 0' \
	out >/dev/null || fail "$(cat out)"
test "$(route bare --method rag)" = "rules LOW 1"
must_be_empty groq.log
expect_code 1 inc-classify --rules rules --method rag --strict <far >/dev/null 2>&1
# --method llm without a key: the rules, with a note, nothing sent.
unset GROQ_API_KEY
test "$(route close --method llm)" = "rules LOW 1"
jq -e '.errors[0].stage == "inc-classify" and (.errors[0].error | length) > 0' \
	out >/dev/null || fail "$(cat out)"
must_be_empty groq.log
# Any other method is a usage error.
expect_code 64 inc-classify --method ai <bare >out 2>err
must_be_empty out
grep -q '^inc-classify: .*--method' err || fail "$(cat err)"
grep -q '^usage: inc-classify' err
