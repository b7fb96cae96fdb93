#!/bin/sh
# inc-ingest --kb reads every real runbook in ../shared, each with a title, text and mitigation where it has one.
. "${0%/*}/../testlib.sh"
need_shared
R="$SHARED/data/runbooks"
inc-ingest --kb "$R" >out 2>err
must_be_empty err
want=$(find "$R" -name '*.md' ! -name '_*' | wc -l)
test "$(lines out)" -eq "$want" || fail "$(lines out) records for $want runbooks"
test "$(jq -r .id out | sort -u | wc -l)" -eq "$want" || fail "ids are not unique"
jq -e -s 'all(.[]; .kind=="kb" and (.title|length)>0 and (.description|length)>0)' out >/dev/null
# Nearly all follow the Meaning/Mitigation layout.
n=$(jq -s '[.[] | select(.resolution)] | length' out)
test "$n" -ge $((want * 8 / 10)) || fail "only $n of $want have a mitigation"
jqtest 'select(.id=="kb:prometheus-operator-runbooks:node:NodeFilesystemFilesFillingUp") | .title=="Node Filesystem Files Filling Up" and (.description|startswith("This alert is similar"))' out
