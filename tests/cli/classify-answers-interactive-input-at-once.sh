#!/bin/sh
# inc-classify writes each record as soon as its input goes quiet, without waiting for more input or for the end of it.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
echo 'HIGH 0.9 disk' >rules
mkfifo fifo
inc-classify --rules rules >out 2>err <fifo &
pid=$!
when_finished "kill $pid 2>/dev/null"
exec 3>fifo
for rec in '{"id":"i-1","title":"disk full"}' \
	'{"id":"i-2","title":"x","matches":[{"id":"kb-a","title":"a","severity":"LOW","resolution":"Do a.","kind":"kb","score":0.9}]}'; do
	want=$(($(lines out) + 1))
	echo "$rec" >&3
	i=0
	while [ "$(lines out)" -lt $want ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	test "$(lines out)" -eq $want || fail "no answer to $rec within 5 s"
done
jqtest '.id == "i-1" and .severity == "HIGH"' out
jqtest '.id == "i-2" and .classification.method == "rag"' out
exec 3>&-
wait $pid
must_be_empty err
