#!/bin/sh
# inc-jira labels an issue "incident" and "inc-<id>", with whitespace and quotes in the id turned into '-' (Jira refuses a label with spaces), and searches for the same label.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
printf '%s\n' '{"id":"web 01\tdown \"now\"","title":"t","severity":"LOW"}' \
	'{"id":"INC:2026.11-27","title":"t","severity":"LOW"}' >in
inc-jira --strict <in >out 2>err
jq -r -s '[.[] | select(.method == "POST") | .body.fields.labels | join(",")] | sort | .[]' \
	jira.log >labels
printf '%s\n' 'incident,inc-INC:2026.11-27' 'incident,inc-web-01-down--now-' >expect
cmp_expect expect labels
jq -r 'select(.method == "GET") | .path' jira.log | $PY -c '
import re, sys, urllib.parse
for p in sys.stdin:
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(p.strip()).query)
    print(re.search(r"labels = \"([^\"]*)\"", q["jql"][0]).group(1))' |
	sort >searched
printf '%s\n' 'inc-INC:2026.11-27' 'inc-web-01-down--now-' >expect
cmp_expect expect searched
jq -e -s 'all(.[]; .jira.key != null and .errors == null)' out >/dev/null
# The id itself is left as it was.
jq -e -s '.[0].id == "web 01\tdown \"now\""' out >/dev/null
