#!/bin/sh
# Jira's {errorMessages, errors} become an errors[] entry that names each field and message; bad credentials are said as such without the token; the record passes on, and --strict exits 1.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira --project OTHER
printf '%s\n' '{"id":"E-1","title":"a","severity":"HIGH","team":"db"}' >in
inc-jira <in >out 2>err
expect_code 1 inc-jira --strict <in >out 2>err
jq -e '.team == "db" and .jira == null and (.errors | length) == 1 and
	.errors[0].stage == "inc-jira" and
	.errors[0].error == "create issue: HTTP 400: project: valid project is required"' 	out >/dev/null || fail "$(cat out)"
grep -q 'E-1: create issue: HTTP 400: project: valid project is required' err
# Bad credentials: 401, said plainly, the token nowhere.
start_jira jira
JIRA_API_TOKEN=not-the-secret-token expect_code 1 inc-jira --strict <in >out 2>err
jq -e '.errors[0].error | startswith("search for label inc-E-1: bad credentials: HTTP 401")' out >/dev/null ||
	fail "$(cat out)"
if grep -q 'not-the-secret-token' out err; then fail "the token was shown"; fi
test "$(jq -s 'map(.status) | unique' jira.log)" = "$(printf '[\n  401\n]')"
# An existing issue that went away: the comment's 404 is named.
printf '%s\n' '{"id":"E-2","title":"b","severity":"LOW","status":"acknowledged","jira":{"key":"OPS-404","id":"1","url":"u","status":"open"}}' |
	inc-jira >out 2>err
jq -e '.jira.key == "OPS-404" and .jira.status == "open" and
	.errors[0].error == "read the comments of OPS-404: HTTP 404: Issue does not exist or you do not have permission to see it."' 	out >/dev/null || fail "$(cat out)"
# A key that is not one never reaches a URL.
printf '%s\n' '{"id":"E-3","status":"acknowledged","jira":{"key":"../../x"}}' | inc-jira >out 2>err
jq -e '.errors[0].error | startswith("jira.key is not an issue key")' out >/dev/null
# A record without an id cannot be labelled: named, and counted for
# --strict even while it waits behind a record with work.
printf '%s\n' '{"id":"E-4","title":"c"}' '{"title":"no id"}' >in
expect_code 1 inc-jira --strict <in >out 2>err
jq -e -s '.[0].jira.key != null and .[0].errors == null and
	.[1].errors[0].error == "the record has no id to label its issue with"' out >/dev/null ||
	fail "$(cat out)"
