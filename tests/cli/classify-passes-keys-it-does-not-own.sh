#!/bin/sh
# inc-classify passes every key it does not own on unchanged, a user's key added with jq between two stages included.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
printf '%s\n' \
 '{"id":"k-1","title":"disk full","x":{"deep":[1,{"y":null}],"z":"\u00e9"},"n":-1.5e3,"ok":true,"nul":null}' \
 '{"id":"k-2","kind":"incident","title":"DNS","matches":[{"id":"m","title":"t","severity":"HIGH","resolution":"Do m.","kind":"kb","score":0.95}],"match":{"k":1,"best":0.95,"index_size":1,"ms":0.01},"embedding":{"model":"fh1","dim":2,"vector":"AAAAAAAAgD8="}}' \
 '  { "id" : "k-3" , "title" : "caf\u00e9 \u2615 down", "team":"data" , "list":[ 1, 2 ] }  ' \
 '{"id":"k-4","title":"t4 slow","errors":[{"stage":"inc-ingest","error":"x","at":"2026-01-01T00:00:00Z"}],"store":{"backend":"sqlite","version":3}}' \
 >in
inc-classify <in >out 2>err
must_be_empty err
test "$(lines out)" -eq 4
jq -c -S . in >want
jq -c -S 'del(.severity, .classification)' out >got
cmp_expect want got
jq -e -s 'all(.[]; (.severity | IN("LOW", "MEDIUM", "HIGH")))' out >/dev/null
# The pipe as a whole keeps the user's key to the end.
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
printf '%s\n' 'db-01 disk full' 'payments api returns 502 since the deploy' |
	inc-ingest | jq -c '. + {team: "db"}' | inc-embed | inc-match |
	inc-classify | inc-store >stored
test "$(lines stored)" -eq 2
jq -e -s 'all(.[]; .team == "db" and .store.version == 1 and
	(.severity | IN("LOW", "MEDIUM", "HIGH")) and
	(.classification.method | IN("rag", "rules")))' stored >/dev/null ||
	fail "$(cat stored)"
