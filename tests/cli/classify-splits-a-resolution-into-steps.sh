#!/bin/sh
# inc-classify turns the deciding match's resolution into suggestions: one per numbered or bulleted line, else one per sentence.
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
	rec numbered "$(printf '1. Restart the pod.\n2. Check the logs.\n3. Roll back.')"
	rec parens "$(printf '1) Restart the pod\n2) Check the logs')"
	rec dashes "$(printf -- '- Restart the pod\n- Check the logs\n- Roll back')"
	rec stars "$(printf '* Restart the pod\n* Check the logs')"
	rec sentences 'Restart the pod. Then check the logs. Roll back if it fails.'
	rec one 'Restart the pod'
} >in
inc-classify --method rag <in >out 2>err
must_be_empty err
test "$(jq -r .id out | tr '\n' ' ')" = "numbered parens dashes stars sentences one "
jq -e -s 'all(.[]; .classification.method == "rag")' out >/dev/null ||
	fail "not all by rag: $(cat out)"
# Markers and the spaces around a step are not part of it (a numbered
# step may keep its number: it is taken off here before comparing).
jq -c '[.id, [.classification.suggestions[] |
	sub("^\\s*([0-9]+[.)]|[-*•])\\s*"; "") | sub("\\s+$"; "")]]' out >got
cat >want <<'E'
["numbered",["Restart the pod.","Check the logs.","Roll back."]]
["parens",["Restart the pod","Check the logs"]]
["dashes",["Restart the pod","Check the logs","Roll back"]]
["stars",["Restart the pod","Check the logs"]]
["sentences",["Restart the pod.","Then check the logs.","Roll back if it fails."]]
["one",["Restart the pod"]]
E
cmp_expect want got
# A real runbook: the seed knowledge base's disk-full Mitigation, one
# suggestion per numbered step.
inc-ingest --kb "$TOP/share/inc/kb/disk-full.md" >kb
res=$(jq -r .resolution kb)
n=$(printf '%s\n' "$res" | grep -c '^[0-9][0-9]*\. ')
[ "$n" -ge 3 ] || fail "the runbook has $n numbered steps"
rec real "$res" | inc-classify >out2
test "$(jq '.classification.suggestions | length' out2)" -eq "$n" ||
	fail "$n steps, suggestions: $(jq -c .classification.suggestions out2)"
jq -e '.classification.suggestions | all(type == "string" and length > 0)' out2 >/dev/null
