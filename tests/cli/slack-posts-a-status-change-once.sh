#!/bin/sh
# A record that comes back acknowledged, then resolved, with its slack key updates its message and replies in its thread, once per change, in its own channel.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
printf '%s\n' '{"id":"U-1","title":"status","severity":"HIGH","status":"open"}' >in
inc-slack --strict <in >out1 2>err
c=$(jq -r .slack.channel_id out1) ts=$(jq -r .slack.ts out1)
export c ts
: >slack.log
jq -c '.status = "acknowledged" | .acknowledged_by = "slack:alice"' out1 >ack
inc-slack --strict <ack >out2 2>err
must_be_empty err
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = "chat.update chat.postMessage"
jqtest 'select(.api == "chat.update") | .body.channel == env.c and .body.ts == env.ts and
	(.body.text | endswith(": acknowledged")) and
	([.body.blocks[] | select(.type == "actions") | .elements[].action_id] == ["inc_resolve"]) and
	.body.metadata.event_payload.status == "acknowledged"' slack.log
jqtest 'select(.api == "chat.postMessage") | .body.channel == env.c and .body.thread_ts == env.ts and
	.body.text == "Incident U-1 is acknowledged by slack:alice"' slack.log
jqtest '.slack.status == "acknowledged" and .slack.ts == env.ts and .errors == null' out2
# Again: nothing more to say; nor without the key.
inc-slack --strict <out2 >out3 2>err
jq -c 'del(.slack)' out2 | inc-slack --strict >out4 2>err
test "$(calls chat.update)" -eq 1
test "$(calls chat.postMessage)" -eq 1
# Resolved: one more update, without buttons, with the resolution.
: >slack.log
jq -c '.status = "resolved" | .resolution = "freed disk space"' out2 | inc-slack --strict >out5 2>err
must_be_empty err
jqtest 'select(.api == "chat.update") | ([.body.blocks[] | select(.type == "actions")] | length) == 0' slack.log
jqtest 'select(.api == "chat.postMessage") | .body.thread_ts == env.ts and
	any(.body.blocks[]; .text.text == "*Resolution*\nfreed disk space")' slack.log
inc-slack --strict <out5 >/dev/null 2>err
test "$(calls chat.update)" -eq 1
slack_state
test "$(jq '[.channels[].messages[]] | length' state.json)" -eq 3
test "$(jq '[.channels[].messages[] | select(.thread_ts == null)] | length' state.json)" -eq 1
