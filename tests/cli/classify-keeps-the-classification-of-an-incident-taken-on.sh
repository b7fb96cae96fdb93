#!/bin/sh
# An acknowledged or resolved incident that comes through again (its
# status change on the way to Slack and Jira) keeps its classification
# without asking a model; an open one, or --method, classifies again.
. "${0%/*}/../testlib.sh"
unset GROQ_BASE_URL GROQ_MODEL OPENAI_API_KEY OPENAI_BASE_URL \
	INC_RAG_THRESHOLD INC_CLASSIFY_RULES 2>/dev/null || true
start_chat groq
GROQ_BASE_URL=$chat/openai/v1 GROQ_API_KEY=gsk-test-key
export GROQ_BASE_URL GROQ_API_KEY
for st in acknowledged resolved; do
	printf '{"id":"k-%s","title":"checkout 502","description":"every card payment fails","status":"%s","severity":"LOW","classification":{"severity":"LOW","method":"llm","confidence":0.7}}\n' $st $st
done >in
inc-classify <in >out
must_be_empty groq.log
test "$(lines out)" -eq 2
jq -e -s 'all(.[]; .classification == {"severity":"LOW","method":"llm","confidence":0.7} and .severity == "LOW")' out >/dev/null ||
	fail "classification changed: $(cat out)"
# Open: classified again, by the model.
sed 's/"status":"acknowledged"/"status":"open"/' in | head -n 1 | inc-classify >out
test "$(lines groq.log)" -eq 1
jqtest '.classification.method == "llm" and .classification.provider == "groq"' out
# Asked for by name: classified again.
tail -n 1 in | inc-classify --method rules >out
jqtest '.classification.method == "rules"' out
test "$(lines groq.log)" -eq 1
