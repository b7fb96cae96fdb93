#!/bin/sh
# inc-jira --check asks Jira who it is before the first record: good credentials go on, wrong ones or an unreachable server exit 69 with a clear message and no secret, and --check without settings exits 78.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
printf '%s\n' '{"id":"K-1","title":"a","severity":"HIGH"}' >in
inc-jira --check <in >out 2>err
jq -e -s '.[0].method == "GET" and .[0].path == "/rest/api/2/myself" and .[0].status == 200' jira.log >/dev/null
grep -q 'signed in as Incident Bot' err
jq -e '.jira.key == "OPS-1"' out >/dev/null
start_jira jira
JIRA_API_TOKEN=wrong-secret-value expect_code 69 inc-jira --check <in >out 2>err
must_be_empty out
test "$(lines jira.log)" -eq 1
grep -q '^inc-jira: --check: bad credentials: HTTP 401 (check JIRA_USER, the account.s email, and JIRA_API_TOKEN)$' err ||
	fail "$(cat err)"
if grep -q 'wrong-secret-value' err; then fail "the token was shown"; fi
# --api 3 checks through v3.
inc-jira --check --api 3 </dev/null >out 2>err
jq -e -s '.[1].path == "/rest/api/3/myself" and .[1].status == 200' jira.log >/dev/null
# Nobody listening.
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
JIRA_URL=http://127.0.0.1:$port INC_JIRA_ATTEMPTS=1 expect_code 69 inc-jira --check <in >out 2>err
grep -q '^inc-jira: --check: ' err || fail "$(cat err)"
must_be_empty out
# Not configured.
unset JIRA_URL
expect_code 78 inc-jira --check <in >out 2>err
grep -q 'not configured (JIRA_URL unset)' err || fail "$(cat err)"
