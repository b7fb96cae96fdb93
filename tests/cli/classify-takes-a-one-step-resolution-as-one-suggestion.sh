#!/bin/sh
# inc-classify takes a resolution of one numbered or bulleted line as one suggestion, not its marker as a sentence of its own.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# rec ID RESOLUTION: a record whose one close match has RESOLUTION.
rec() {
	jq -nc --arg id "$1" --arg res "$2" '{id: $id, title: "t",
		matches: [{id: "kb-1", title: "k", severity: "MEDIUM",
			resolution: $res, kind: "kb", score: 0.9}]}'
}
{
	rec numbered '1. Restart the pod.'
	rec dash '- Restart the pod'
} >in
inc-classify <in >out 2>err
must_be_empty err
jq -c '[.id, [.classification.suggestions[] |
	sub("^\\s*([0-9]+[.)]|[-*•])\\s*"; "")]]' out >got
cat >want <<'E'
["numbered",["Restart the pod."]]
["dash",["Restart the pod"]]
E
cmp_expect want got
