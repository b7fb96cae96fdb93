#!/bin/sh
# inc-jira makes an issue for every incident by default; --min-severity (or INC_JIRA_MIN_SEVERITY) skips those below it, saying so in jira.skipped, without a request.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
printf '%s\n' '{"id":"M-1","severity":"LOW","title":"a"}' '{"id":"M-2","severity":"MEDIUM","title":"b"}' \
	'{"id":"M-3","severity":"HIGH","title":"c"}' '{"id":"M-4","title":"d"}' >in
inc-jira --strict <in >out 2>err
jq -e -s 'all(.[]; .jira.key != null)' out >/dev/null
start_jira jira
inc-jira --strict --min-severity medium <in >out 2>err
jq -e -s 'map(.jira.skipped) == ["severity below MEDIUM", null, null, "no severity below MEDIUM"] and
	(.[1:3] | all(.[]; .jira.key != null))' out >/dev/null || fail "$(cat out)"
test "$(jq -s 'map(select(.method == "POST")) | map(.body.fields.labels[1]) | sort | join(" ")' jira.log)" = '"inc-M-2 inc-M-3"'
start_jira jira
INC_JIRA_MIN_SEVERITY=HIGH inc-jira --strict <in >out 2>err
test "$(jq -s 'map(select(.jira.key)) | map(.id) | join(" ")' out)" = '"M-3"'
