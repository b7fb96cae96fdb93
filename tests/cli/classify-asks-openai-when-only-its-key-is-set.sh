#!/bin/sh
# inc-classify with only OPENAI_API_KEY asks OpenAI (its model, no include_reasoning) and prices the answer at OpenAI's prices.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# near(x): equal to x but for the last digits of a double.
near='def near($x): (. - $x | fabs) <= 1e-9 * $x;'
start_chat groq
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
OPENAI_API_KEY=sk-test-key
export GROQ_BASE_URL OPENAI_BASE_URL OPENAI_API_KEY
printf '%s\n' '{"id":"o-1","title":"Cosmetic glitch on the status page [[o-1]]"}' >in
inc-classify --strict <in >out 2>err
must_be_empty err
must_be_empty groq.log
test "$(lines openai.log)" -eq 1
jq -e '.path == "/v1/chat/completions" and
	.headers.Authorization == "Bearer sk-test-key" and
	.body.model == "gpt-4o-mini" and (.body | has("include_reasoning") | not)
	and .body.temperature == 0 and .body.max_completion_tokens == 1024 and
	.body.response_format.json_schema.name == "incident_classification"' \
	openai.log >/dev/null || fail "request: $(jq -c '[.path, .body]' openai.log)"
p=$(jq .answer.usage.prompt_tokens openai.log)
c=$(jq .answer.usage.completion_tokens openai.log)
jq -e --argjson p "$p" --argjson c "$c" "$near"' .classification as $k |
	.severity == "LOW" and $k.method == "llm" and $k.provider == "openai" and
	$k.model == "gpt-4o-mini" and $k.confidence == 0.8 and
	$k.summary == "stub: LOW [[o-1]]" and
	$k.tokens == {prompt: $p, completion: $c} and
	($k.cost_usd | near($p * 0.15 / 1e6 + $c * 0.60 / 1e6)) and
	.errors == null' out >/dev/null || fail "$(cat out) for p=$p c=$c"
# OPENAI_MODEL and the OpenAI prices are settings.
: >openai.log
OPENAI_MODEL=gpt-stub OPENAI_PRICE_INPUT=1 OPENAI_PRICE_OUTPUT=10 \
	inc-classify <in >out2
p=$(jq .answer.usage.prompt_tokens openai.log)
c=$(jq .answer.usage.completion_tokens openai.log)
jq -e --argjson p "$p" --argjson c "$c" "$near"' .classification |
	.model == "gpt-stub" and
	(.cost_usd | near($p * 1 / 1e6 + $c * 10 / 1e6))' out2 \
	>/dev/null || fail "$(cat out2) for p=$p c=$c"
jq -e '.body.model == "gpt-stub"' openai.log >/dev/null
