#!/bin/sh
# inc-classify uses a match scoring 0.85 (INC_RAG_THRESHOLD's default) and not one scoring 0.8499; --threshold beats INC_RAG_THRESHOLD.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# Every text rule says LOW: what RAG decides is HIGH.
echo 'LOW 0.5 .' >rules
printf '%s\n' \
 '{"id":"below","title":"t","matches":[{"id":"kb-a","title":"a","severity":"HIGH","resolution":"Do a.","kind":"kb","score":0.8499}]}' \
 '{"id":"at","title":"t","matches":[{"id":"kb-a","title":"a","severity":"HIGH","resolution":"Do a.","kind":"kb","score":0.85}]}' >in
# route: the method of each record, in order.
route() { jq -r .classification.method "$1" | tr '\n' ' '; }
inc-classify --rules rules <in >out
test "$(route out)" = "rules rag " || fail "default threshold: $(route out)"
jqtest 'select(.id=="below") | .severity == "LOW"' out
jqtest 'select(.id=="at") | .severity == "HIGH" and .classification.confidence == 0.85' out
INC_RAG_THRESHOLD=0.8 inc-classify --rules rules <in >out
test "$(route out)" = "rag rag " || fail "INC_RAG_THRESHOLD=0.8: $(route out)"
INC_RAG_THRESHOLD=0.8 inc-classify --rules rules --threshold 0.9 <in >out
test "$(route out)" = "rules rules " || fail "--threshold 0.9: $(route out)"
inc-classify --rules rules --threshold 0.8499 <in >out
test "$(route out)" = "rag rag " || fail "--threshold 0.8499: $(route out)"
inc-classify --rules rules --threshold=0.86 <in >out
test "$(route out)" = "rules rules " || fail "--threshold=0.86: $(route out)"
