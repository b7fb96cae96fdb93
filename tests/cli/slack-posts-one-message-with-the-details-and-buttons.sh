#!/bin/sh
# inc-slack posts one Block Kit message with a text fallback into the incident's channel: title, severity, description, how it was classified, the top suggestions, the matched runbook, the Jira link, and Acknowledge and Resolve buttons that carry the incident id.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
cat >in <<'EOF2'
{"id":"P-1","title":"Payments API <down> & failing","description":"HTTP 500 on /pay since 02:00","severity":"HIGH","status":"open","classification":{"severity":"HIGH","confidence":0.92,"method":"rag","suggestions":["Restart the payments pods","Check the database pool","Roll back release 42","Fourth step not shown"]},"matches":[{"id":"kb-payments","title":"Payments API outage","score":0.91,"severity":"HIGH"},{"id":"kb-other","title":"Other runbook","score":0.5}],"jira":{"key":"OPS-7","url":"https://jira.example/browse/OPS-7"},"team":"pay"}
{"id":"P-2","description":"disk full on db-2","severity":"MEDIUM"}
EOF2
inc-slack --strict <in >out 2>err
must_be_empty err
# Every request: the bot token as a bearer, a JSON body in UTF-8, or a
# form for the read methods.
jq -e -s 'length > 0 and all(.[]; .headers.Authorization == "Bearer xoxb-test-secret-token" and .method == "POST")' \
	slack.log >/dev/null || fail "auth: $(cat slack.log)"
jq -e -s 'map(select(.api == "chat.postMessage" or .api == "conversations.create")) |
	all(.[]; .headers["Content-Type"] == "application/json; charset=utf-8")' \
	slack.log >/dev/null || fail "content type"
test "$(calls conversations.create)" -eq 2
test "$(calls chat.postMessage)" -eq 2
jq -c 'select(.api == "chat.postMessage" and .body.metadata.event_payload.incident_id == "P-1") | .body' slack.log >msg
test "$(lines msg)" -eq 1
c1=$(jq -r 'select(.id == "P-1") | .slack.channel_id' out)
# Into its own channel, with a fallback text for notifications.
jq -e --arg c "$c1" '.channel == $c and
	.text == "[HIGH] Payments API &lt;down&gt; &amp; failing (P-1): open"' msg >/dev/null ||
	fail "$(cat msg)"
texts() { jq -r '[.blocks[] | (.text.text?, (.fields[]?.text))] | map(select(. != null)) | join("\n")' msg; }
texts >texts
for want in 'Payments API <down> & failing' '[HIGH]' 'HTTP 500 on /pay since 02:00' \
    'rag, confidence 0.92' '• Restart the payments pods' '• Check the database pool' \
    '• Roll back release 42' 'Payments API outage (kb-payments, score 0.91)' \
    '<https://jira.example/browse/OPS-7|OPS-7>' '*Status*'; do
	grep -qF -- "$want" texts || fail "no '$want' in: $(cat texts)"
done
! grep -q 'Fourth step' texts || fail "more than three suggestions"
! grep -q 'Other runbook' texts || fail "not only the best match"
# mrkdwn is escaped, the header's plain text is not.
jq -e '.blocks[0].type == "header" and .blocks[0].text.type == "plain_text" and
	(.blocks[0].text.text | contains("Payments API <down> & failing"))' msg >/dev/null ||
	fail "header: $(jq -c '.blocks[0]' msg)"
# The buttons.
jq -e '[.blocks[] | select(.type == "actions") | .elements[]] |
	map({action_id, value, text: .text.text}) ==
	[{"action_id": "inc_ack", "value": "P-1", "text": "Acknowledge"},
	 {"action_id": "inc_resolve", "value": "P-1", "text": "Resolve"}]' msg >/dev/null ||
	fail "buttons: $(jq -c '.blocks[] | select(.type == "actions")' msg)"
# A record with less: no empty sections, the title from the description.
jq -c 'select(.api == "chat.postMessage" and .body.metadata.event_payload.incident_id == "P-2") | .body' slack.log >msg2
jq -e '(.blocks | length) == 4 and (.blocks[0].text.text | contains("disk full on db-2")) and
	all(.blocks[]; .type != "section" or .text == null or (.text.text | length) > 0)' msg2 >/dev/null ||
	fail "$(cat msg2)"
# The record gets what was made; the rest passes unchanged.
jq -e -s '.[0] | .slack.channel == "incident-p-1" and (.slack.channel_id | test("^C")) and
	(.slack.ts | test("^[0-9]+\\.[0-9]+$")) and .slack.status == "open" and .team == "pay" and
	.jira.key == "OPS-7"' out >/dev/null || fail "$(cat out)"
test "$(jq -c 'del(.slack)' out)" = "$(jq -c . in)"
