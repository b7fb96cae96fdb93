#!/bin/sh
# inc-match finds a knowledge-base document first, with a score of about 1, for a report that is that document's own text.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" >kb
inc-embed --fit <kb | inc-store --kb >/dev/null
# Every runbook's title and description, sent as an incident.
jq -c '{id: ("q-" + .id), kind: "incident", title, description}' kb |
	inc-embed >q
test "$(lines q)" -eq "$(lines kb)"
inc-match -k 3 <q >out 2>err
must_be_empty err
test "$(lines out)" -eq "$(lines kb)"
jq -e -s 'all(.[]; .matches[0].id == (.id | ltrimstr("q-")) and
	.matches[0].score > 0.999 and .matches[0].score <= 1.0001 and
	.match.best == .matches[0].score and
	.matches[1].score < .matches[0].score)' out >/dev/null ||
	fail "a runbook's own text did not find it first with score 1"
