#!/bin/sh
# inc-jira sets the priority from the severity, HIGH -> Highest, MEDIUM -> High, LOW -> Medium by default; INC_JIRA_PRIORITY_MAP changes some of them or sends none; a bad map is a configuration error.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
printf '%s\n' '{"id":"P-1","title":"a","severity":"HIGH"}' \
	'{"id":"P-2","title":"b","severity":"MEDIUM"}' \
	'{"id":"P-3","title":"c","severity":"low"}' \
	'{"id":"P-4","title":"d"}' >in
start_jira jira
inc-jira <in >out 2>err
priorities() {
	jq -r -s '[.[] | select(.method == "POST") |
		"\(.body.fields.labels[1])=\(.body.fields.priority.name // "none")"] |
		sort | join(" ")' jira.log
}
test "$(priorities)" = "inc-P-1=Highest inc-P-2=High inc-P-3=Medium inc-P-4=none" ||
	fail "default map: $(priorities)"
jq -e -s 'map(.jira.key) | length == 4 and all(. != null)' out >/dev/null
start_jira jira --priorities Blocker,Highest,High,Medium,Low
INC_JIRA_PRIORITY_MAP='high = Blocker, LOW=' inc-jira <in >out 2>err
test "$(priorities)" = "inc-P-1=Blocker inc-P-2=High inc-P-3=none inc-P-4=none" ||
	fail "custom map: $(priorities)"
jq -e -s 'all(.[]; .errors == null)' out >/dev/null
for bad in 'HIGH' 'URGENT=Highest' 'HIGH=Highest,,=x'; do
	expect_code 78 env INC_JIRA_PRIORITY_MAP="$bad" inc-jira <in >out 2>err
	grep -q '^inc-jira: INC_JIRA_PRIORITY_MAP: ' err || fail "$bad: $(cat err)"
	must_be_empty out
done
