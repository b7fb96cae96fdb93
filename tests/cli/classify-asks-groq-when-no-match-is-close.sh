#!/bin/sh
# inc-classify asks Groq first when no match is close: the request as specified, the answer's content parsed, provider, model, tokens and cost_usd from the prices.
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
GROQ_API_KEY=gsk-test-key OPENAI_API_KEY=sk-test-key
export GROQ_BASE_URL OPENAI_BASE_URL GROQ_API_KEY OPENAI_API_KEY
cat >in <<'E'
{"id":"p-1","title":"Payments outage [[p-1]]","description":"checkout returns 502 for every card payment","type":"HTTP","source":"blackbox","metadata":{"host":"pay-gw-07","environment":"production"},"matches":[{"id":"kb-payment-provider-outage","title":"Payment provider outage","severity":"HIGH","resolution":"Fail over.","kind":"kb","score":0.61},{"id":"kb-lb-502","title":"Load balancer 502 and 504","severity":"MEDIUM","resolution":"Check the backends.","kind":"kb","score":0.55}],"match":{"k":2,"best":0.61,"index_size":50,"ms":0.02}}
E
inc-classify --strict <in >out 2>err
must_be_empty err
must_be_empty openai.log
test "$(lines groq.log)" -eq 1
# The answer, as the stand-in computed it (tests/stub/chat.py).
p=$(jq .answer.usage.prompt_tokens groq.log)
c=$(jq .answer.usage.completion_tokens groq.log)
[ "$p" -gt 0 ] && [ "$c" -gt 0 ]
jq -e --argjson p "$p" --argjson c "$c" "$near"' .classification as $k |
	.severity == "HIGH" and $k.severity == "HIGH" and $k.method == "llm" and
	$k.provider == "groq" and $k.model == "openai/gpt-oss-20b" and
	$k.confidence == 0.9 and $k.summary == "stub: HIGH [[p-1]]" and
	$k.suggestions == ["Check the stand-in'"'"'s first step", "Then its second step"] and
	$k.tokens == {prompt: $p, completion: $c} and
	($k.cost_usd | near($p * 0.075 / 1e6 + $c * 0.30 / 1e6)) and
	($k.ms | type) == "number" and ($k | has("document") | not) and
	.errors == null' out >/dev/null || fail "$(cat out) for p=$p c=$c"
# The request (protocols.md §4.2).
jq -e '.method == "POST" and .path == "/openai/v1/chat/completions" and
	.headers.Authorization == "Bearer gsk-test-key"' groq.log >/dev/null ||
	fail "request: $(jq -c '[.method, .path, .headers]' groq.log)"
jq -e '.body | .model == "openai/gpt-oss-20b" and .temperature == 0 and
	.max_completion_tokens == 1024 and .include_reasoning == false and
	(.messages | map(.role)) == ["system", "user"] and
	(.messages[0].content | length) > 0' groq.log >/dev/null ||
	fail "body: $(jq -c '.body | del(.messages)' groq.log)"
cat >want <<'E'
{"type":"json_schema","json_schema":{"name":"incident_classification","strict":true,"schema":{"type":"object","properties":{"severity":{"type":"string","enum":["LOW","MEDIUM","HIGH"]},"confidence":{"type":"number"},"summary":{"type":"string"},"suggestions":{"type":"array","items":{"type":"string"}}},"required":["severity","confidence","summary","suggestions"],"additionalProperties":false}}}
E
jq -c -S .body.response_format groq.log >got
jq -c -S . want >want.s
cmp_expect want.s got
# The user message holds the incident and the top matches.
jq -r '.body.messages[1].content' groq.log >user
for s in 'Payments outage' 'checkout returns 502 for every card payment' \
	HTTP blackbox pay-gw-07 production 'Payment provider outage' \
	'Load balancer 502 and 504'; do
	grep -q "$s" user || fail "the user message lacks '$s': $(cat user)"
done
# A prompt file is the system message; GROQ_MODEL and the prices are
# settings.
printf 'You classify incidents.\nAnswer in JSON.\n' >prompt
: >groq.log
GROQ_MODEL=stub-model-x GROQ_PRICE_INPUT=2 GROQ_PRICE_OUTPUT=3.5 \
	inc-classify --prompt prompt <in >out2
p=$(jq .answer.usage.prompt_tokens groq.log)
c=$(jq .answer.usage.completion_tokens groq.log)
jq -e '.body.model == "stub-model-x" and
	(.body.messages[0].content | sub("\\s+$"; "")) ==
	"You classify incidents.\nAnswer in JSON."' groq.log >/dev/null ||
	fail "body: $(jq -c .body groq.log)"
jq -e --argjson p "$p" --argjson c "$c" "$near"' .classification |
	.model == "stub-model-x" and .provider == "groq" and
	(.cost_usd | near($p * 2 / 1e6 + $c * 3.5 / 1e6))' out2 \
	>/dev/null || fail "$(cat out2) for p=$p c=$c"
must_be_empty openai.log
