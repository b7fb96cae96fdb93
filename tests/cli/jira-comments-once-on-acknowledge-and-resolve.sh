#!/bin/sh
# An incident acknowledged, then resolved, gets one comment each on its issue, saying who and the resolution; jira.status keeps the last status commented, and a replay, even one that lost jira.status, posts nothing twice.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
printf '%s\n' '{"id":"C-1","title":"a","severity":"HIGH","status":"open"}' >in
inc-jira --strict <in >open 2>err
jq -c '.status = "acknowledged" | .acknowledged_by = "alice" |
	.acknowledged_at = "2026-11-27T05:00:00Z"' open >acked
inc-jira --strict <acked >out 2>err
jq -e '.jira.status == "acknowledged" and .jira.key == "OPS-1"' out >/dev/null || fail "$(cat out)"
jq -s 'map(select(.method == "POST" and (.path | endswith("/comment"))))' jira.log >posts
test "$(jq length posts)" -eq 1
jq -e '.[0].path == "/rest/api/2/issue/OPS-1/comment" and .[0].status == 201 and
	(.[0].body.body | contains("Acknowledged by alice at 2026-11-27T05:00:00Z") and
	 contains("inc: C-1 acknowledged"))' posts >/dev/null || fail "$(cat posts)"
# Again with the output: nothing to do.  Again with the input, as if the
# output were lost: the comment is found, not posted twice.
inc-jira --strict <out >out2 2>err
inc-jira --strict <acked >out3 2>err
test "$(jq -s 'map(select(.method == "POST" and (.path | endswith("/comment")))) | length' jira.log)" -eq 1
jq -e '.jira.status == "acknowledged"' out3 >/dev/null
# Resolved, through v3: one comment in ADF with the resolution.
jq -c '.status = "resolved" | .resolution = "raised the pool size to 200" |
	.resolved_by = "bob"' out >resolved
inc-jira --strict --api 3 <resolved >out4 2>err
inc-jira --strict --api 3 <resolved >out5 2>err
jq -s 'map(select(.method == "POST" and (.path | endswith("/comment"))))' jira.log >posts
test "$(jq length posts)" -eq 2 || fail "$(cat posts)"
jq -e '.[1].path == "/rest/api/3/issue/OPS-1/comment" and .[1].status == 201 and
	.[1].body.body.type == "doc" and
	([.[1].body.body | .. | objects | select(.type == "text") | .text] as $t |
	 ($t | index("raised the pool size to 200")) and ($t | index("inc: C-1 resolved")) and
	 ($t | any(startswith("Resolved by bob"))))' posts >/dev/null || fail "$(jq -c '.[1].body' posts)"
jq -e -s 'all(.[]; .jira.status == "resolved")' out4 out5 >/dev/null
# A record that arrives resolved with no issue yet: created, then one comment.
printf '%s\n' '{"id":"C-2","title":"b","severity":"LOW","status":"resolved","resolution":"gone"}' |
	inc-jira --strict >out6 2>err
jq -e '.jira.key == "OPS-2" and .jira.status == "resolved"' out6 >/dev/null
test "$(jq -s 'map(select(.path == "/rest/api/2/issue/OPS-2/comment")) | length' jira.log)" -eq 1
