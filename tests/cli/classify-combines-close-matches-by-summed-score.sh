#!/bin/sh
# inc-classify weighs the close matches: the severity with the highest summed score wins (a tie goes to the more severe), from the best match of that severity.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# m ID SEVERITY SCORE: a match (SEVERITY "-" for none).
m() {
	jq -nc --arg id "$1" --arg sev "$2" --argjson s "$3" '{id: $id,
		title: ("title of " + $id), resolution: ("Fix " + $id + "."),
		kind: "kb", score: $s} + if $sev == "-" then {} else
		{severity: $sev} end'
}
# rec ID MATCH...: a record with those matches, in that order.
rec() {
	_id=$1; shift
	printf '%s\n' "$@" | jq -c -s --arg id "$_id" '{id: $id,
		title: "unknown thing", matches: .}'
}
{
	# Two MEDIUM (0.90 + 0.88) outweigh one HIGH (0.95).
	rec sum "$(m kb-h HIGH 0.95)" "$(m kb-m1 MEDIUM 0.9)" \
		"$(m kb-m2 MEDIUM 0.88)" "$(m kb-l LOW 0.5)"
	# A tie goes to the more severe, in either order.
	rec tie-hl "$(m kb-h HIGH 0.9)" "$(m kb-l LOW 0.9)"
	rec tie-lh "$(m kb-l LOW 0.9)" "$(m kb-h HIGH 0.9)"
	rec tie-lm "$(m kb-l LOW 0.9)" "$(m kb-m1 MEDIUM 0.9)"
	# Matches below the threshold do not count (0.84 + 0.84 > 0.86).
	rec below "$(m kb-h HIGH 0.86)" "$(m kb-m1 MEDIUM 0.84)" \
		"$(m kb-m2 MEDIUM 0.84)"
	# A close match without a severity does not decide.
	rec nosev "$(m kb-x - 0.97)" "$(m kb-l LOW 0.9)"
	# No close match carries a severity: not RAG.
	rec none "$(m kb-x - 0.97)" "$(m kb-y - 0.9)" "$(m kb-h HIGH 0.5)"
} >in
echo 'MEDIUM 0.42 .' >rules
inc-classify --rules rules <in >out 2>err
must_be_empty err
jq -c '.classification as $c | [.id, .severity, $c.method, $c.document,
	(if $c.method == "rag" then $c.suggestions else null end)]' out >got
cat >want <<'E'
["sum","MEDIUM","rag","kb-m1",["Fix kb-m1."]]
["tie-hl","HIGH","rag","kb-h",["Fix kb-h."]]
["tie-lh","HIGH","rag","kb-h",["Fix kb-h."]]
["tie-lm","MEDIUM","rag","kb-m1",["Fix kb-m1."]]
["below","HIGH","rag","kb-h",["Fix kb-h."]]
["nosev","LOW","rag","kb-l",["Fix kb-l."]]
["none","MEDIUM","rules",null,null]
E
cmp_expect want got
# The confidence is the best score.
jqtest 'select(.id=="sum") | .classification.confidence == 0.95' out
jqtest 'select(.id=="below") | .classification.confidence == 0.86' out
jqtest 'select(.id=="none") | .classification.confidence == 0.42' out
