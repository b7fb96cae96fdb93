#!/bin/sh
# inc-embed places each vector of an answer by its index, so records keep their order and their own vectors when the server answers data[] in reverse.
. "${0%/*}/../testlib.sh"
start_embeddings --reverse --dim 16
for i in 1 2 3 4 5 6 7 8 9 10; do
	printf '{"id":"o-%s","title":"service %s is down"}\n' $i $i
done >in
inc-embed --backend openai --batch 4 <in >out 2>err
must_be_empty err
test "$(jq -r .id out | tr '\n' ' ')" = "o-1 o-2 o-3 o-4 o-5 o-6 o-7 o-8 o-9 o-10 "
test "$(lines log)" -eq 3
jqtest '.embedding.dim == 16' out
check_vectors out
# The stand-in did answer in reverse: data[0] held the last index.
test "$(jq -c -s 'sort_by(.inputs[0]) | map([.answer.data[].index])' log)" = \
	"[[3,2,1,0],[3,2,1,0],[1,0]]" || fail "answers: $(jq -c '[.answer.data[].index]' log)"
