#!/bin/sh
# Without JIRA_URL, JIRA_USER, JIRA_API_TOKEN and JIRA_PROJECT, inc-jira passes every incident on with jira {"skipped": "not configured"}, keeps an issue a record already has, and leaves knowledge-base documents alone; a JIRA_PROJECT that is not a key is refused.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
unset JIRA_URL JIRA_USER JIRA_API_TOKEN JIRA_PROJECT 2>/dev/null || true
printf '%s\n' '{"id":"N-1","title":"a","severity":"HIGH","team":"x"}' \
	'{"id":"kb-1","kind":"kb","title":"runbook"}' \
	'{"id":"N-2","status":"resolved","jira":{"key":"OPS-3","id":"1","url":"u","status":"open"}}' >in
inc-jira --strict <in >out 2>err
must_be_empty err
jq -e -s '.[0].jira == {"skipped": "not configured"} and .[0].team == "x" and
	(.[1] | has("jira") | not) and
	.[2].jira == {"key": "OPS-3", "id": "1", "url": "u", "status": "open"}' out >/dev/null ||
	fail "$(cat out)"
# One setting missing is still not configured.
start_jira jira
unset JIRA_PROJECT
inc-jira --strict <in >out 2>err
jq -e -s '.[0].jira == {"skipped": "not configured"}' out >/dev/null
must_be_empty jira.log
# A project that is not a key is a configuration error.
JIRA_PROJECT='OPS" OR project = "X' expect_code 78 inc-jira <in >out 2>err
grep -q '^inc-jira: JIRA_PROJECT: not a project key' err || fail "$(cat err)"
must_be_empty out
