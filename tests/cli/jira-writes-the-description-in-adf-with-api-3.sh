#!/bin/sh
# inc-jira --api 3 (or INC_JIRA_API=3) posts to /rest/api/3/issue with the description as an Atlassian Document Format document: headings, paragraphs, a bullet list of suggestions and a link to the Slack channel.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
cat >in <<'JSON'
{"id":"INC-8","title":"Disk full","description":"db-01 at 100%\nwrites fail","severity":"MEDIUM","classification":{"severity":"MEDIUM","confidence":0.6,"method":"llm","model":"m-1","suggestions":["Free space","Grow the volume"]},"slack":{"channel":"incident-inc-8","url":"https://example.slack.com/archives/C08"}}
JSON
inc-jira --api 3 <in >out 2>err
jq -e -s '.[1].method == "POST" and .[1].path == "/rest/api/3/issue" and
	.[1].status == 201' jira.log >/dev/null || fail "$(jq -c '[.path, .status, .answer]' jira.log)"
jq -s '.[1].body.fields.description' jira.log >adf
jq -e '.type == "doc" and .version == 1 and (.content | length) > 3' adf >/dev/null ||
	fail "not a document: $(cat adf)"
# The details keep their line break as a hardBreak between two texts.
jq -e '[.content[] | select(.type == "paragraph") | .content | map(.type)] |
	any(. == ["text", "hardBreak", "text"])' adf >/dev/null || fail "$(cat adf)"
jq -e '[.content[] | select(.type == "heading") | .content[0].text] |
	index("Suggestions") != null' adf >/dev/null || fail "no heading: $(cat adf)"
jq -e '[.content[] | select(.type == "bulletList") | .content[] |
	.content[0].content[0].text] == ["Free space", "Grow the volume"]' adf >/dev/null ||
	fail "no list: $(cat adf)"
jq -e '[.. | objects | select(.type == "text" and .marks) |
	{text, href: .marks[0].attrs.href}] ==
	[{"text": "#incident-inc-8", "href": "https://example.slack.com/archives/C08"}]' adf >/dev/null ||
	fail "no link: $(cat adf)"
jq -e '.jira.key == "OPS-1" and .errors == null' out >/dev/null
jq -e -s '.[1].body.fields.priority == {"name": "High"}' jira.log >/dev/null
# The setting does the same.
start_jira jira
sed 's/INC-8/INC-9/' in | INC_JIRA_API=3 inc-jira >out 2>err
jq -e -s '.[1].path == "/rest/api/3/issue" and .[1].status == 201 and
	.[1].body.fields.description.type == "doc"' jira.log >/dev/null
expect_code 78 env INC_JIRA_API=4 inc-jira <in >/dev/null 2>err
grep -q 'INC_JIRA_API' err
