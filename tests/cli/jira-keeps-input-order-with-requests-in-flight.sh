#!/bin/sh
# inc-jira keeps several requests in flight at once (INC_JIRA_CONCURRENCY) against a slow Jira, and writes the records in input order.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira --delay 100
i=1
while [ $i -le 40 ]; do
	echo "{\"id\":\"O-$i\",\"title\":\"t\",\"severity\":\"LOW\"}"
	[ $i -ne 20 ] || echo '{"id":"kb-x","kind":"kb","title":"doc"}'
	i=$((i + 1))
done >in
INC_JIRA_CONCURRENCY=8 inc-jira --strict <in >out 2>err
jq -r .id in >expect
jq -r .id out >ids
cmp_expect expect ids
jq -e -s 'map(select(.jira)) | length == 40 and all(.[]; .jira.key != null)' out >/dev/null
# How many were in flight at the busiest moment, from the stand-in's log.
busy=$(jq -s '[.[] | [.start, 1], [.end, -1]] | sort | reduce .[] as $e ({n: 0, max: 0};
	.n += $e[1] | .max = ([.max, .n] | max)) | .max' jira.log)
test "$busy" -ge 4 || fail "at most $busy requests in flight"
test "$busy" -le 8 || fail "$busy requests in flight, over INC_JIRA_CONCURRENCY"
