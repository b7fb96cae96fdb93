#!/bin/sh
# inc-classify takes severity, suggestions and document from a close match (score >= 0.85) and sends no request, even with a key set.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
start_chat groq
GROQ_BASE_URL=$chat/openai/v1
start_chat openai
OPENAI_BASE_URL=$chat/v1
GROQ_API_KEY=gsk-test-key OPENAI_API_KEY=sk-test-key
export GROQ_BASE_URL OPENAI_BASE_URL GROQ_API_KEY OPENAI_API_KEY
cat >in <<'E'
{"id":"r-1","title":"db-01 disk full","description":"/var is at 100%","matches":[{"id":"kb-disk-full","title":"Disk full","severity":"HIGH","resolution":"1. Free space: rotate the logs.\n2. Prune unused images.\n3. Grow the volume.","kind":"kb","score":0.93},{"id":"kb-inodes","title":"Inodes exhausted","severity":"LOW","resolution":"Delete small files.","kind":"kb","score":0.41}],"match":{"k":2,"best":0.93,"index_size":50,"ms":0.02}}
E
inc-classify --strict <in >out 2>err
must_be_empty err
must_be_empty groq.log
must_be_empty openai.log
test "$(lines out)" -eq 1
c='.classification'
jq -e ".severity == \"HIGH\" and $c.severity == \"HIGH\" and
	$c.method == \"rag\" and $c.confidence == 0.93 and
	$c.document == \"kb-disk-full\" and $c.model == null and
	$c.tokens == {\"prompt\": 0, \"completion\": 0} and $c.cost_usd == 0 and
	($c.ms | type) == \"number\" and $c.ms >= 0 and
	($c | has(\"provider\") | not) and .errors == null" out >/dev/null ||
	fail "not classified by the close match: $(cat out)"
# The resolution's numbered lines are the steps (their numbers may stay).
jq -e '[.classification.suggestions[] |
	sub("^\\s*([0-9]+[.)]|[-*•])\\s*"; "")] ==
	["Free space: rotate the logs.", "Prune unused images.",
	 "Grow the volume."]' out >/dev/null ||
	fail "suggestions: $(jq -c .classification.suggestions out)"
# inc-match's keys pass through.
test "$(jq -c '[.matches, .match]' in)" = "$(jq -c '[.matches, .match]' out)"
