#!/bin/sh
# After a 429 with Retry-After, inc-jira waits that long and asks again; without Retry-After it backs off; when the attempts run out, the error says it was rate limited.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira --rate-limit 1 --retry-after 1
printf '%s\n' '{"id":"L-1","title":"a","severity":"HIGH"}' >in
inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map([.method, .status])' jira.log)" = '[["GET",429],["GET",200],["POST",201]]' ||
	fail "$(jq -c '[.method, .status]' jira.log)"
jq -e -s '.[0].path == .[1].path' jira.log >/dev/null
jq -e -s '.[1].start - .[0].end >= 0.95 and .[1].start - .[0].end < 3' jira.log >/dev/null ||
	fail "retried at the wrong time: $(jq -c '[.start, .end]' jira.log)"
jq -e '.jira.key == "OPS-1" and .errors == null' out >/dev/null
# The create is rate limited too, and waits the same way.
start_jira jira --rate-limit 1 --retry-after 1 --rate-limit-path /issue
inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map([.method, .status])' jira.log)" = '[["GET",200],["POST",429],["POST",201]]'
jq -e -s '.[2].start - .[1].end >= 0.95' jira.log >/dev/null
test "$(jq -s 'map(select(.status == 201)) | length' jira.log)" -eq 1
# No Retry-After: backoff; attempts run out: the error says why.
start_jira jira --rate-limit 5 --retry-after none
INC_JIRA_ATTEMPTS=2 expect_code 1 inc-jira --strict <in >out 2>err
test "$(lines jira.log)" -eq 2
jq -e '.errors[0].error | startswith("search for label inc-L-1: rate limited: HTTP 429 after 2 attempts: Rate limit exceeded.")' 	out >/dev/null || fail "$(cat out)"
