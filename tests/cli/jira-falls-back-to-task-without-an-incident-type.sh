#!/bin/sh
# When the project has no issue type "Incident", Jira's 400 names the issuetype field: inc-jira says so once and creates the issues as "Task"; with neither type the record carries an error naming the field.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira --issue-types Task,Bug
printf '%s\n' '{"id":"F-1","title":"a","severity":"HIGH"}' >in
inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map(select(.method == "POST") | [.status, .body.fields.issuetype.name])' jira.log)" = \
	'[[400,"Incident"],[201,"Task"]]' || fail "$(jq -c '[.status, .answer]' jira.log)"
jq -e -s '.[1].answer == {"errorMessages": [], "errors": {"issuetype": "Specify a valid issue type"}}' \
	jira.log >/dev/null
jq -e '.jira.key == "OPS-1" and .errors == null' out >/dev/null || fail "$(cat out)"
test "$(grep -c 'refused issue type Incident.*using Task' err)" -eq 1 || fail "$(cat err)"
# Later records go straight to Task, in the same run.
printf '%s\n' '{"id":"F-2","title":"b","severity":"LOW"}' >>in
printf '%s\n' '{"id":"F-3","title":"c","severity":"LOW"}' >>in
start_jira jira --issue-types Task
(cat in; sleep 1; sed 's/F-/G-/' in) | inc-jira --strict >out 2>err
test "$(jq -s 'map(select(.method == "POST" and .status == 201 and
	.body.fields.issuetype.name == "Task")) | length' jira.log)" -eq 6
test "$(jq -s 'map(select(.method == "POST" and .status == 400)) | length' jira.log)" -le 3
jq -e -s 'map(select(.method == "POST" and (.body.fields.labels[1] | startswith("inc-G-")))) |
	all(.[]; .status == 201)' jira.log >/dev/null || fail "the G- records were refused"
# JIRA_ISSUE_TYPE names another type, INC_JIRA_FALLBACK_ISSUE_TYPE the fallback.
start_jira jira --issue-types Story
JIRA_ISSUE_TYPE=Bug INC_JIRA_FALLBACK_ISSUE_TYPE=Story inc-jira --strict <in >out 2>err
test "$(jq -c -s 'map(select(.method == "POST") | .body.fields.issuetype.name) | unique' jira.log)" = \
	'["Bug","Story"]'
# Neither type exists: an error naming the field, the record passes on.
start_jira jira --issue-types Bug
expect_code 1 inc-jira --strict <in >out 2>err
test "$(lines out)" -eq 3
jq -e -s 'all(.[]; .jira == null and (.errors | length) == 1 and
	.errors[0].stage == "inc-jira" and
	(.errors[0].error | test("^create issue: HTTP 400: issuetype: Specify a valid issue type")))' \
	out >/dev/null || fail "$(cat out)"
