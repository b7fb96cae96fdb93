#!/bin/sh
# inc-classify -h prints the usage on stdout; a mistake names the option and the rule, prints the usage on stderr and exits 64.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
cat >want <<'E'
usage: inc-classify [--method rag|llm|rules] [--threshold x] [--rules file]
                    [--prompt file] [--dry-run] [--strict] [--reject file]
E
inc-classify -h >out
cmp_expect want out
inc-classify --help >out2
cmp_expect want out2
inc-classify --version >out
grep -qx 'inc-classify [0-9][0-9.]*' out
expect_code 64 inc-classify --no-such-option </dev/null >out 2>err
must_be_empty out
grep -q '^usage: inc-classify' err
expect_code 64 inc-classify file.jsonl </dev/null >out 2>err
grep -q '^inc-classify: .*file.jsonl' err
for bad in "--threshold abc" "--threshold 1.5" "--threshold -1.5" \
	"--method ai" "--method"; do
	expect_code 64 inc-classify $bad </dev/null >out 2>err
	must_be_empty out
	grep -q "^inc-classify: .*${bad%% *}" err || fail "$bad: $(cat err)"
	grep -q '^usage: inc-classify' err
done
