#!/bin/sh
# inc-jira --dry-run sends nothing: it prints the search, the create and any comment it would send as JSON lines on stderr, the credentials masked, and marks the record jira.dry_run.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
JIRA_API_TOKEN=the-secret-api-token
printf '%s\n' '{"id":"Y-1","title":"a","severity":"HIGH"}' \
	'{"id":"Y-2","title":"b","severity":"LOW","status":"acknowledged","acknowledged_by":"carol","jira":{"key":"OPS-9","id":"9","url":"u","status":"open"}}' >in
inc-jira --dry-run --check --strict <in >out 2>err
must_be_empty jira.log
jq -c 'select(.method) | [.method, (.url | sub("\\?.*"; "") | sub("^http://[^/]*"; ""))]' err >reqs
cat >expect <<'X'
["GET","/rest/api/2/myself"]
["GET","/rest/api/3/search/jql"]
["GET","/rest/api/2/issue/OPS-9/comment"]
["POST","/rest/api/2/issue"]
["POST","/rest/api/2/issue/OPS-9/comment"]
X
cmp_expect expect reqs
jq -e -s 'all(.[] | select(.method); .headers.Authorization == "Basic *")' err >/dev/null || fail "$(cat err)"
jq -e -s 'map(select(.method == "POST" and (.url | endswith("/issue")))) | .[0].body.fields |
	.summary == "[HIGH] a (Y-1)" and .labels == ["incident", "inc-Y-1"]' err >/dev/null
jq -e -s 'map(select(.method == "POST" and (.url | endswith("/comment")))) | .[0].body.body |
	contains("Acknowledged by carol")' err >/dev/null
if grep -q 'the-secret-api-token' err out; then fail "the token was shown"; fi
jq -e -s '.[0].jira == {"dry_run": true} and
	.[1].jira == {"key": "OPS-9", "id": "9", "url": "u", "status": "open", "dry_run": true}' out >/dev/null ||
	fail "$(cat out)"
# A record with nothing to send is marked too, and a real pass clears
# the mark.
printf '%s\n' '{"id":"Y-3","status":"open","jira":{"key":"OPS-5","id":"5","url":"u","status":"open"}}' |
	inc-jira --dry-run >out 2>err
jq -e '.jira.dry_run == true and .jira.key == "OPS-5"' out >/dev/null || fail "$(cat out)"
inc-jira <out >out2 2>err
jq -e '.jira == {"key": "OPS-5", "id": "5", "url": "u", "status": "open"}' out2 >/dev/null ||
	fail "$(cat out2)"
must_be_empty jira.log
