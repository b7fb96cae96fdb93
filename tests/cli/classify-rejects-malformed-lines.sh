#!/bin/sh
# inc-classify reports each malformed line as "inc-classify: line N: reason", copies it to --reject, passes the good records on and exits 65.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
long=$(head -c 200 /dev/zero | tr '\0' a)
{
	echo '{"id":"ok-1","title":"db-01 disk full"}'
	echo 'not json {'
	echo '"a string"'
	echo '[1,2]'
	printf '{"title":"bad \377 byte"}\n'
	printf '{"title":"raw\000nul"}\n'
	echo "{\"title\":\"$long\"}"
	echo '{"id":"ok-2","title":"dns lookups fail"}'
	printf '{"id":"cut","title":"no end"'
} >in
expect_code 65 env INC_MAX_LINE=128 inc-classify --reject rej <in >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "ok-1 ok-2 " || fail "passed: $(cat out)"
jq -e -s 'all(.[]; .classification.method == "rules")' out >/dev/null
grep -o '^inc-classify: line [0-9]*:' err >got || true
cat >want <<'E'
inc-classify: line 2:
inc-classify: line 3:
inc-classify: line 4:
inc-classify: line 5:
inc-classify: line 6:
inc-classify: line 7:
inc-classify: line 9:
E
cmp_expect want got
grep -q '^inc-classify: line 5: invalid UTF-8' err
grep -q '^inc-classify: line 7: longer than 128 bytes' err
# Every rejected line is in the reject file as it was read.
test "$(lines rej)" -eq 7 || fail "reject file has $(lines rej) lines"
grep -q '^not json {$' rej
grep -q "^{\"title\":\"$long\"}\$" rej
# --strict does not change it: 65 wins over 1.
expect_code 65 env INC_MAX_LINE=128 inc-classify --strict <in >/dev/null 2>&1
