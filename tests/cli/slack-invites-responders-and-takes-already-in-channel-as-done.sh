#!/bin/sh
# inc-slack invites the INC_SLACK_INVITE user ids into a new channel; on a second pass already_in_channel is no error, and an invitation Slack refuses is reported without keeping the message back.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
printf '%s\n' '{"id":"I-1","title":"invite","severity":"HIGH"}' >in
INC_SLACK_INVITE='U0AAA, U0BBB' inc-slack --strict <in >out 2>err
must_be_empty err
c=$(jq -r .slack.channel_id out)
export c
jqtest 'select(.api == "conversations.invite") | .body == {"channel": env.c, "users": "U0AAA,U0BBB"} and .answer.ok' \
	slack.log
# The invitation comes before the message.
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = \
	"conversations.create conversations.invite chat.postMessage"
# Again without the slack key (a replay after a crash): already there.
: >slack.log
jq -c 'del(.slack)' out | INC_SLACK_INVITE='U0AAA,U0BBB' inc-slack --strict >out2 2>err
must_be_empty err
jqtest 'select(.api == "conversations.invite") | .answer.error == "already_in_channel"' slack.log
jqtest '.errors == null' out2
test "$(jq -r .slack.ts out2)" = "$(jq -r .slack.ts out)"
test "$(calls chat.postMessage)" -eq 0
# A user Slack does not know: said in errors[], and the message is posted.
: >slack.log
printf '%s\n' '{"id":"I-2","title":"bad user","severity":"HIGH"}' |
	INC_SLACK_INVITE='nobody' expect_code 1 inc-slack --strict >out3 2>err
jqtest '.errors[0].error == "slack: conversations.invite: user_not_found" and (.slack.ts | length) > 0' out3
test "$(calls chat.postMessage)" -eq 1
