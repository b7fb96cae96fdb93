#!/bin/sh
# inc-classify's rules file: "SEVERITY CONFIDENCE REGEX" lines, comments and blank lines skipped, extended regexes without case over title and description, the first matching line wins, MEDIUM 0.3 when none does.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
cat >rules <<'E'
# severity confidence regex

HIGH 0.9 disk (full|space)
LOW 0.4 cosmetic|typo
MEDIUM 0.7 disk
HIGH 0.8 ^payments api [0-9]{3}
E
printf '%s\n' \
 '{"id":"full","title":"db-01 DISK FULL"}' \
 '{"id":"slow","title":"disk slow on db-02"}' \
 '{"id":"desc","title":"status page","description":"a Cosmetic glitch in the footer"}' \
 '{"id":"order","title":"typo in the disk space banner"}' \
 '{"id":"ere","title":"Payments API 503 since the deploy"}' \
 '{"id":"none","title":"something unknown","description":"no rule for it"}' \
 '{"id":"empty"}' >in
inc-classify --rules rules <in >out 2>err
must_be_empty err
jq -c '[.id, .severity, .classification.confidence, .classification.method]' out >got
cat >want <<'E'
["full","HIGH",0.9,"rules"]
["slow","MEDIUM",0.7,"rules"]
["desc","LOW",0.4,"rules"]
["order","HIGH",0.9,"rules"]
["ere","HIGH",0.8,"rules"]
["none","MEDIUM",0.3,"rules"]
["empty","MEDIUM",0.3,"rules"]
E
cmp_expect want got
# The reason names the rule: its line number or its text.
jq -e -s '.[0] | .classification.reason |
	test("\\b3\\b") or test("disk \\(full\\|space\\)")' out >/dev/null ||
	fail "reason: $(jq -c 'select(.id=="full") | .classification.reason' out)"
jq -e -s '.[1] | .classification.reason |
	test("\\b5\\b") or test("disk")' out >/dev/null ||
	fail "reason: $(jq -c 'select(.id=="slow") | .classification.reason' out)"
# INC_CLASSIFY_RULES names the file too; --rules wins over it.
echo 'LOW 0.11 .' >rules2
INC_CLASSIFY_RULES=$PWD/rules2 inc-classify <in >out2
jq -e -s 'all(.[]; .severity == "LOW" and .classification.confidence == 0.11)' \
	out2 >/dev/null || fail "INC_CLASSIFY_RULES: $(cat out2)"
INC_CLASSIFY_RULES=$PWD/rules2 inc-classify --rules rules <in >out3
jq -c '[.id, .severity, .classification.confidence, .classification.method]' out3 >got3
cmp_expect want got3
