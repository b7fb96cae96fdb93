#!/bin/sh
# With no embedded document in the knowledge base, inc-match passes records on with an errors[] entry that says how to load it, and finds them once it is loaded.
. "${0%/*}/../testlib.sh"
echo '{"id":"e-1","title":"disk full"}' | inc-embed >q
# A database with no knowledge base at all.
inc-match <q >out 2>err || fail "exit $?: $(cat err)"
must_be_empty err
jqtest '(.matches | not) and (.match | not) and .errors[0].stage == "inc-match" and
	(.errors[0].error | test("no embedded documents")) and
	(.errors[0].error | test("inc-ingest --kb .*inc-embed.*inc-store --kb"))' out
expect_code 1 inc-match --strict <q >/dev/null
# Documents without vectors do not count.
inc-ingest --kb "$TOP/share/inc/kb" | inc-store --kb >/dev/null
test "$(inc-store stats | jq .kb.documents)" -gt 0
inc-match <q >out 2>err || fail "exit $?: $(cat err)"
must_be_empty err
jqtest '(.errors[0].error | test("no embedded documents"))' out
# Loaded as the message says, the same record finds its runbook.
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"e-1","title":"disk full"}' | inc-embed | inc-match >out
jqtest '.matches[0].id == "kb-disk-full" and (.errors | not)' out
