#!/bin/sh
# A create or a comment whose answer is lost (a 502 after Jira did it) is not simply sent again: inc-jira searches for the label, or reads the comments, and finds what it made, so there is still one issue and one comment; a 503 that made nothing is sent again after the search finds nothing.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira --lose-create 1 --lose-comment 1
printf '%s\n' '{"id":"G-1","title":"a","severity":"HIGH","status":"acknowledged","acknowledged_by":"dan"}' >in
inc-jira --strict <in >out 2>err
jq -r '"\(.method) \(.path | sub("\\?.*"; "")) \(.status)"' jira.log >got
cat >expect <<'X'
GET /rest/api/3/search/jql 200
POST /rest/api/2/issue 502
GET /rest/api/3/search/jql 200
GET /rest/api/2/issue/OPS-1/comment 200
POST /rest/api/2/issue/OPS-1/comment 502
GET /rest/api/2/issue/OPS-1/comment 200
X
cmp_expect expect got
jq -e '.jira.key == "OPS-1" and .jira.status == "acknowledged" and .errors == null' out >/dev/null ||
	fail "$(cat out)"
# The second look waited a backoff first.
jq -e -s '.[2].start - .[1].end >= 0.2 and .[5].start - .[4].end >= 0.2' jira.log >/dev/null || fail "no backoff"
# A 503 that made nothing: the search finds nothing, the create goes
# again; when every try fails the record says how many there were.
start_jira jira --fail-create 1
printf '%s\n' '{"id":"G-2","title":"b","severity":"LOW"}' >in
inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map([.method, .status])' jira.log)" = \
	'[["GET",200],["POST",503],["GET",200],["POST",201]]' ||
	fail "$(jq -c '[.method, .path, .status]' jira.log)"
jq -e '.jira.key == "OPS-1" and .errors == null' out >/dev/null
start_jira jira --fail-create 9
INC_JIRA_ATTEMPTS=2 expect_code 1 inc-jira --strict <in >out 2>err
test "$(jq -s 'map(select(.method == "POST")) | length' jira.log)" -eq 2
jq -e '.jira == null and
	.errors[0].error == "create issue: HTTP 503: Service unavailable (2 tries)"' out >/dev/null ||
	fail "$(cat out)"
