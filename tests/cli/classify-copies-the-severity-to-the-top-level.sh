#!/bin/sh
# inc-classify writes the severity at the top level too, equal to classification.severity on every route, replacing what the record had.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
start_chat groq
export GROQ_BASE_URL=$chat/openai/v1
echo 'HIGH 0.8 disk' >rules
printf '%s\n' \
 '{"id":"t-rag","title":"x","severity":"HIGH","classification":{"method":"old"},"matches":[{"id":"kb-a","title":"a","severity":"LOW","resolution":"Do a.","kind":"kb","score":0.9}]}' \
 '{"id":"t-llm","title":"Payments outage","severity":"LOW"}' >in
printf '%s\n' \
 '{"id":"t-rules","title":"disk full","severity":"LOW","classification":{"method":"old","extra":1}}' >in2
GROQ_API_KEY=gsk-test-key inc-classify --rules rules <in >out 2>err
must_be_empty err
# Without a key: the rules.
inc-classify --rules rules <in2 >>out 2>err
must_be_empty err
jq -c '[.id, .severity, .classification.severity, .classification.method,
	(.classification | has("extra"))]' out >got
cat >want <<'E'
["t-rag","LOW","LOW","rag",false]
["t-llm","HIGH","HIGH","llm",false]
["t-rules","HIGH","HIGH","rules",false]
E
cmp_expect want got
