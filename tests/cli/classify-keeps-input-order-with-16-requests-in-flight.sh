#!/bin/sh
# inc-classify keeps 16 requests in flight (INC_LLM_CONCURRENCY's default) and writes the records in input order though the answers come back in reverse.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# The first request to arrive answers last: 1600, 1500, ... 100 ms.
start_chat groq --delay 1600,1500,1400,1300,1200,1100,1000,900,800,700,600,500,400,300,200,100
export GROQ_BASE_URL=$chat/openai/v1 GROQ_API_KEY=gsk-test-key
i=1
while [ $i -le 16 ]; do
	n=$(printf %02d $i)
	# Every third one is an outage, so the answers differ.
	if [ $((i % 3)) -eq 0 ]; then what=outage; else what=slowness; fi
	printf '{"id":"q-%s","title":"host-%s %s [[q-%s]]"}\n' $n $n $what $n
	i=$((i + 1))
done >in
t0=$(date +%s%N)
inc-classify --strict <in >out 2>err
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
must_be_empty err
test "$(lines groq.log)" -eq 16
test "$(jq -r .id out | tr '\n' ' ')" = "$(jq -r .id in | tr '\n' ' ')"
# Each record has its own answer.
jq -e -s 'all(.[]; .classification.summary ==
	("stub: " + .severity + " [[" + .id + "]]") and
	.severity == (if (.title | test("outage")) then "HIGH" else "MEDIUM" end))' \
	out >/dev/null || fail "answers mixed up: $(jq -c '[.id, .classification.summary]' out)"
# All sixteen were in flight at once ...
jq -e -s '(map(.start) | max) < (map(.end) | min)' groq.log >/dev/null ||
	fail "not all in flight at once: $(jq -c '[.n, .start, .end]' groq.log)"
# ... so the run took about the longest delay, not the sum (13.6 s).
[ "$ms" -lt 4500 ] || fail "took $ms ms"
# INC_LLM_CONCURRENCY=4: never more than four at once, and still in order.
start_chat groq --delay 300
GROQ_BASE_URL=$chat/openai/v1
head -n 8 in >in8
INC_LLM_CONCURRENCY=4 inc-classify <in8 >out8 2>err
test "$(jq -r .id out8 | tr '\n' ' ')" = "$(jq -r .id in8 | tr '\n' ' ')"
most=$(jq -s '. as $r | [$r[] | .start as $t |
	[$r[] | select(.start <= $t and .end > $t)] | length] | max' groq.log)
[ "$most" -eq 4 ] || fail "$most requests in flight at most, not 4"
# Records decided at once (a close match) wait behind those still asked.
awk '{ print } NR % 2 == 0 { printf "{\"id\":\"rag-%d\",\"title\":\"x\",\"matches\":[{\"id\":\"kb-a\",\"title\":\"a\",\"severity\":\"LOW\",\"resolution\":\"Do a.\",\"kind\":\"kb\",\"score\":0.9}]}\n", NR }' in8 >mixed
inc-classify <mixed >outm 2>err
test "$(jq -r .id outm | tr '\n' ' ')" = "$(jq -r .id mixed | tr '\n' ' ')"
jq -e -s 'all(.[]; .classification.method ==
	(if (.id | startswith("rag-")) then "rag" else "llm" end))' outm >/dev/null ||
	fail "$(jq -c '[.id, .classification.method]' outm)"
