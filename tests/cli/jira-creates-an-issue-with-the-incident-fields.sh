#!/bin/sh
# inc-jira searches for the incident's label, then creates one issue with Basic auth and JSON: project, issue type, "[HIGH] title (id)", the priority, labels incident and inc-<id>, and a wiki description with the details, suggestions, runbook and Slack channel; the record gets jira {key, id, url, status}.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
cat >in <<'JSON'
{"id":"INC-7","kind":"incident","title":"Payments API down","description":"checkout returns 502 for every user","source":"monitoring","severity":"HIGH","classification":{"severity":"HIGH","confidence":0.91,"method":"rag","suggestions":["Roll back the last deploy","Scale the pool to 200"],"document":"kb-5xx"},"matches":[{"id":"kb-other","title":"Something else","score":0.5},{"id":"kb-5xx","title":"HTTP 5xx error spike","score":0.93}],"status":"open","slack":{"channel_id":"C0123","channel":"incident-inc-7","ts":"1.2"},"team":"payments"}
JSON
inc-jira <in >out 2>err
test "$(jq -c -s 'map([.method, (.path | sub("\\?.*"; "")), .status])' jira.log)" = \
	'[["GET","/rest/api/3/search/jql",200],["POST","/rest/api/2/issue",201]]' ||
	fail "requests: $(jq -c '[.method, .path, .status]' jira.log)"
# The search: bounded by the project, by the label, fields asked for.
jq -e -s '.[0].path | test("jql=project%20%3D%20%22OPS%22%20AND%20labels%20%3D%20%22inc-INC-7%22") and test("fields=key")' \
	jira.log >/dev/null || fail "search: $(jq -r -s '.[0].path' jira.log)"
auth="Basic $(printf '%s' bot@example.com:jira-test-token | base64)"
jq -e -s --arg auth "$auth" 'all(.[]; .headers.Authorization == $auth and
	.headers.Accept == "application/json")' jira.log >/dev/null ||
	fail "headers: $(jq -c .headers jira.log)"
jq -e -s '.[1].headers["Content-Type"] | startswith("application/json")' jira.log >/dev/null
jq -s '.[1].body.fields' jira.log >fields
jq -e '.project == {"key": "OPS"} and .issuetype == {"name": "Incident"} and
	.summary == "[HIGH] Payments API down (INC-7)" and
	.priority == {"name": "Highest"} and .labels == ["incident", "inc-INC-7"] and
	(keys | sort) == ["description", "issuetype", "labels", "priority", "project", "summary"]' \
	fields >/dev/null || fail "fields: $(cat fields)"
jq -r .description fields >desc
for want in 'checkout returns 502 for every user' 'h3. Suggestions' \
    '* Roll back the last deploy' '* Scale the pool to 200' \
    'HTTP 5xx error spike (kb-5xx), score 0.93' '#incident-inc-7' \
    'HIGH by rag, confidence 0.91'; do
	grep -qF -- "$want" desc || fail "description lacks '$want': $(cat desc)"
done
jq -e --arg url "$JIRA_URL/browse/OPS-1" '.jira == {"key": "OPS-1", "id": "10000",
	"url": $url, "status": "open"} and .team == "payments" and .errors == null' \
	out >/dev/null || fail "out: $(cat out)"
grep -q 'INC-7: created OPS-1' err || fail "stderr: $(cat err)"
# -q keeps it quiet.
start_jira jira
inc-jira -q <in >out 2>err
must_be_empty err
