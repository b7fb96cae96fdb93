#!/bin/sh
# The whole loop: a report posted to inc-httpd gets its channel and message from inc-slack in inc-pipeline; a signed click on Acknowledge changes the store, and the pipeline carries the change back to inc-slack, which updates the message and replies in its thread once.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_slack
SLACK_SIGNING_SECRET=s3cret-signing-secret INC_SLACK_MIN_SEVERITY=LOW
export SLACK_SIGNING_SECRET INC_SLACK_MIN_SEVERITY
start_httpd
inc-pipeline --no-seed >pipe.out 2>pipe.err &
PPID_=$!
when_finished "kill $PPID_ 2>/dev/null"

test "$(curl -s -o body -w '%{http_code}' -H 'Content-Type: application/json' \
	--data-binary '{"id":"LOOP-1","title":"checkout down","description":"checkout returns 502"}' \
	"$URL/api/v1/incidents")" = 202 || fail "$(cat body)"
stored_ts() { inc-store get LOOP-1 2>/dev/null | jq -r '.slack.ts // empty'; }
wait_for 15 '[ -n "$(stored_ts)" ]'
test "$(calls chat.postMessage)" -eq 1
ts=$(stored_ts)
export ts

test "$(slack_click "$URL/api/slack/actions" inc_ack LOOP-1 "$SLACK_SIGNING_SECRET" 0)" = 200 ||
	fail "$(cat body)"
shown() { inc-store get LOOP-1 | jq -r .slack.status; }
wait_for 15 '[ "$(shown)" = acknowledged ]'
jqtest 'select(.api == "chat.update") | .body.ts == env.ts and (.body.text | endswith(": acknowledged"))' slack.log
jqtest 'select(.api == "chat.postMessage") | .body.thread_ts == env.ts and
	(.body.text | contains("acknowledged by slack:alice"))' slack.log
curl -s "$URL/api/v1/incidents/LOOP-1" >got
jqtest '.status == "acknowledged" and (.acknowledged_by | contains("alice")) and .slack.status == "acknowledged"' got
# Once: give the pipeline time to do anything more, and see it did not.
sleep 1
test "$(calls chat.update)" -eq 1
test "$(calls chat.postMessage)" -eq 2
test "$(calls conversations.create)" -eq 1
kill -TERM $PPID_
wait $PPID_
must_be_empty pipe.err
