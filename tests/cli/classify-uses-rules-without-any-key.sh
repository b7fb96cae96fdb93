#!/bin/sh
# inc-classify with no key at all classifies by the rules, sends nothing and adds no errors[] entry: offline is a normal way to run.
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
export GROQ_BASE_URL OPENAI_BASE_URL
printf '%s\n' 'HIGH 0.9 outage' 'LOW 0.4 cosmetic' >rules
printf '%s\n' \
 '{"id":"k-1","title":"Payments outage"}' \
 '{"id":"k-2","title":"Cosmetic glitch","matches":[{"id":"kb-a","title":"a","severity":"HIGH","resolution":"Do a.","kind":"kb","score":0.6}]}' \
 '{"id":"k-3","title":"Something else","matches":[]}' >in
inc-classify --rules rules --strict <in >out 2>err
must_be_empty err
must_be_empty groq.log
must_be_empty openai.log
jq -c '[.id, .severity, .classification.confidence]' out >got
cat >want <<'E'
["k-1","HIGH",0.9]
["k-2","LOW",0.4]
["k-3","MEDIUM",0.3]
E
cmp_expect want got
jq -e -s 'all(.[]; .errors == null and .classification as $c |
	$c.method == "rules" and $c.severity == .severity and $c.model == null and
	$c.tokens == {prompt: 0, completion: 0} and $c.cost_usd == 0 and
	($c.ms | type) == "number" and ($c.suggestions | type) == "array" and
	($c.reason | type) == "string" and ($c.reason | length) > 0 and
	($c | has("provider") | not))' out >/dev/null || fail "$(cat out)"
