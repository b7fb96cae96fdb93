#!/bin/sh
# The same record through inc-jira twice (its output lost, as after a crash before the last inc-store), twice in one stream, and again with its jira key: one issue, the same key every time.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
printf '%s\n' '{"id":"D-1","title":"a","severity":"HIGH","status":"open"}' >in
inc-jira --strict <in >out1 2>err
inc-jira --strict <in >out2 2>err
cat in in | inc-jira --strict >out3 2>err
printf '%s\n' '{"id":"D-2","title":"b","severity":"LOW"}' '{"id":"D-2","title":"b","severity":"LOW"}' |
	inc-jira --strict >out4 2>err
inc-jira --strict <out1 >out5 2>err
test "$(jq -s 'map(select(.method == "POST")) | length' jira.log)" -eq 2 ||
	fail "$(jq -c '[.method, .path, .status]' jira.log)"
test "$(cat out1 out2 out3 out5 | jq -r .jira.key | sort -u)" = OPS-1
test "$(jq -r .jira.key out4 | sort -u)" = OPS-2
# A record that has its key asks nothing more.
test "$(jq -s 'length' jira.log)" -eq 6 || fail "$(jq -c '[.method, .path]' jira.log)"
cmp_expect out1 out5
