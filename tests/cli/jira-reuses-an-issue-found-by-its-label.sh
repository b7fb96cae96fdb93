#!/bin/sh
# inc-jira looks for an issue labelled inc-<id> with /rest/api/3/search/jql before it creates one, follows nextPageToken until isLast, takes only an exact label, and reuses what it finds.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
printf '%s\n' '{"key":"OPS-77","fields":{"summary":"[HIGH] a (R-1)","labels":["incident","inc-R-1"]}}' \
	'{"key":"OPS-78","fields":{"labels":["inc-r-2"]}}' \
	'{"key":"OPS-79","fields":{"labels":["incident","inc-R-2x"]}}' \
	'{"key":"OPS-80","fields":{"labels":["INC-R-2"]}}' \
	'{"key":"OPS-81","fields":{"labels":["incident","inc-R-2"]}}' >seed
start_jira jira --seed seed --page-size 1
printf '%s\n' '{"id":"R-1","title":"a","severity":"HIGH"}' >in
inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map([.method, .status])' jira.log)" = '[["GET",200]]' ||
	fail "$(jq -c '[.method, .path, .status]' jira.log)"
jq -e --arg url "$JIRA_URL/browse/OPS-77" '.jira == {"key": "OPS-77", "id": "10000",
	"url": $url, "status": "open"}' out >/dev/null || fail "$(cat out)"
grep -q 'R-1: OPS-77 found by its label inc-R-1' err || fail "$(cat err)"
# Three labels that match without regard to case come first, one per page.
start_jira jira --seed seed --page-size 1
printf '%s\n' '{"id":"R-2","title":"b","severity":"HIGH"}' >in
inc-jira --strict <in >out 2>err
jq -e '.jira.key == "OPS-81"' out >/dev/null || fail "$(cat out)"
test "$(jq -s 'map(select(.path | contains("/search/jql"))) | length' jira.log)" -eq 3 ||
	fail "$(jq -c '[.path, .answer]' jira.log)"
jq -e -s '. as $l | ($l[0].path | contains("nextPageToken") | not) and
	($l[1].path | contains("nextPageToken=" + ($l[0].answer.nextPageToken | @uri))) and
	($l[2].path | contains("nextPageToken=" + ($l[1].answer.nextPageToken | @uri))) and
	$l[2].answer.isLast == true' jira.log >/dev/null || fail "$(jq -c '[.path, .answer]' jira.log)"
test "$(jq -s 'map(select(.method == "POST")) | length' jira.log)" -eq 0
# The search the old way is gone (protocols.md §2.3): the stand-in says so.
curl -s -o gone -w '%{http_code}' -u "$JIRA_USER:$JIRA_API_TOKEN" \
	"$JIRA_URL/rest/api/3/search?jql=labels%3Dx" >code
test "$(cat code)" = 410
grep -q 'migrate to the /rest/api/3/search/jql API' gone
