#!/bin/sh
# inc-match never answers from an index file built for another database: not for a database made anew at the same path, nor for one of the same relative name in another directory.
. "${0%/*}/../testlib.sh"
# doc ID: a one-document knowledge base, ID at [1, 0].
doc() {
	printf '{"id":"%s","kind":"kb","title":"%s","embedding":{"model":"m2","dim":2,"vector":[1,0]}}\n' "$1" "$1"
}
echo '{"id":"q","embedding":{"model":"m2","dim":2,"vector":[1,0]}}' >q

# The default database, removed and loaded again with other documents:
# its knowledge-base version starts over at the same number.
doc kb-old | inc-store --kb >/dev/null
inc-match <q >out
jqtest '.matches[0].id == "kb-old"' out
rm -f "$INC_STATE_DIR"/incident.db*
doc kb-new | inc-store --kb >/dev/null
inc-match <q >out
jqtest '.match.index_size == 1 and .matches[0].id == "kb-new"' out

# Two databases called kb.db, one in a/ and one in b/, one state dir.
mkdir a b
(cd a && doc kb-in-a | inc-store --db kb.db --kb >/dev/null)
(cd b && doc kb-in-b | inc-store --db kb.db --kb >/dev/null)
(cd a && inc-match --db kb.db <../q) >out
jqtest '.matches[0].id == "kb-in-a"' out
(cd b && inc-match --db kb.db <../q) >out
jqtest '.matches[0].id == "kb-in-b"' out
(cd b && inc-match --db sqlite:kb.db <../q) >out
jqtest '.matches[0].id == "kb-in-b"' out
