#!/bin/sh
# inc-classify without --rules or INC_CLASSIFY_RULES reads share/inc/classify/rules of the tree its binary was built in, whatever the working directory.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
[ -f "$TOP/share/inc/classify/rules" ] ||
	fail "no share/inc/classify/rules in the tree"
printf '%s\n' \
 '{"id":"d-1","title":"db-01 disk full","description":"No space left on device"}' \
 '{"id":"d-2","title":"TLS certificate expired"}' \
 '{"id":"d-3","title":"typo on the status page"}' >in
mkdir elsewhere && cd elsewhere
inc-classify <../in >../out 2>../err
cd ..
must_be_empty err
inc-classify --rules "$TOP/share/inc/classify/rules" <in >want
test "$(jq -c 'del(.classification.ms)' out)" = \
	"$(jq -c 'del(.classification.ms)' want)" ||
	fail "not the tree's rules: $(cat out)"
jq -e -s 'all(.[]; .classification.method == "rules")' out >/dev/null
# Every line of the shipped file is a comment, blank, or a valid rule.
grep -v '^[[:space:]]*#' "$TOP/share/inc/classify/rules" | grep -v '^[[:space:]]*$' |
	grep -Ev '^(LOW|MEDIUM|HIGH)[[:space:]]+(0(\.[0-9]+)?|1(\.0+)?)[[:space:]]+[^[:space:]]' &&
	fail "lines above are not SEVERITY CONFIDENCE REGEX"
# A disk that is full is not a MEDIUM-by-default guess.
jqtest 'select(.id=="d-1") | .classification.confidence != 0.3' out
