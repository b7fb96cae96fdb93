#!/bin/sh
# inc-classify refuses a rules file it cannot read or parse (a missing file, a bad severity, confidence or regex) with one message naming it, and exits 78.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo '{"id":"b-1","title":"disk full"}' >in
printf 'HIGH 0.9 disk\n' >good
inc-classify --rules good <in >/dev/null
for bad in 'SEVERE 0.9 disk' 'HIGH 1.5 disk' 'HIGH high disk' 'HIGH 0.9 disk (full' 'HIGH 0.9'; do
	printf '# a comment\n%s\n' "$bad" >bad
	expect_code 78 inc-classify --rules bad <in >out 2>err
	must_be_empty out
	test "$(lines err)" -eq 1 || fail "$bad: $(cat err)"
	grep -q '^inc-classify: .*bad' err || fail "$bad: $(cat err)"
done
expect_code 78 inc-classify --rules no-such-file <in >out 2>err
must_be_empty out
grep -q '^inc-classify: .*no-such-file' err || fail "$(cat err)"
expect_code 78 env INC_CLASSIFY_RULES=$PWD/no-such-file inc-classify <in >out 2>err
grep -q '^inc-classify: .*no-such-file' err || fail "$(cat err)"
