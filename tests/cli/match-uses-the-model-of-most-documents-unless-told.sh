#!/bin/sh
# inc-match searches the documents of the model most of the knowledge base is embedded with, or of the model --model names, whatever an earlier run used.
. "${0%/*}/../testlib.sh"
# Three documents of model "big", two of model "small".
printf '%s\n' \
 '{"id":"b-1","kind":"kb","title":"b1","embedding":{"model":"big","dim":2,"vector":[1,0]}}' \
 '{"id":"b-2","kind":"kb","title":"b2","embedding":{"model":"big","dim":2,"vector":[0,1]}}' \
 '{"id":"b-3","kind":"kb","title":"b3","embedding":{"model":"big","dim":2,"vector":[0.6,0.8]}}' \
 '{"id":"s-1","kind":"kb","title":"s1","embedding":{"model":"small","dim":3,"vector":[1,0,0]}}' \
 '{"id":"s-2","kind":"kb","title":"s2","embedding":{"model":"small","dim":3,"vector":[0,0,1]}}' |
	inc-store --kb >/dev/null
echo '{"id":"qb","embedding":{"model":"big","dim":2,"vector":[1,0]}}' >qb
echo '{"id":"qs","embedding":{"model":"small","dim":3,"vector":[0,0,1]}}' >qs

inc-match <qb >out
jqtest '.match.index_size == 3 and .matches[0].id == "b-1" and (.errors | not)' out
inc-match <qs >out
jqtest '(.errors[0].error | test("model small, index has big"))' out

inc-match --model small <qs >out
jqtest '.match.index_size == 2 and .matches[0].id == "s-2" and (.errors | not)' out
inc-match --model small <qb >out
jqtest '(.errors[0].error | test("model big, index has small"))' out

# Without --model it is the model of most documents again.
inc-match <qb >out
jqtest '.match.index_size == 3 and .matches[0].id == "b-1" and (.errors | not)' out
inc-match --model big <qb >out
jqtest '.match.index_size == 3 and .matches[0].id == "b-1"' out
