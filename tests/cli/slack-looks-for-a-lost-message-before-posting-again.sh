#!/bin/sh
# When the answer to a post is lost (a 500 after Slack made the message), inc-slack looks for the message in the channel instead of posting it again; a post refused with 429 is sent again after its Retry-After.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --lose chat.postMessage=1
printf '%s\n' '{"id":"L-1","title":"lost","severity":"HIGH"}' >in
inc-slack --strict <in >out 2>err
must_be_empty err
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = \
	"conversations.create chat.postMessage conversations.history" ||
	fail "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)"
slack_state
test "$(jq '[.channels[].messages[]] | length' state.json)" -eq 1
test "$(jq -r .slack.ts out)" = "$(jq -r '.channels[0].messages[0].ts' state.json)"
jqtest '.errors == null' out
# Lost, and no second try allowed: the record says so and keeps the
# channel; the next pass finds the message rather than posting one.
start_slack --lose chat.postMessage=1
INC_SLACK_ATTEMPTS=1 expect_code 1 inc-slack --strict <in >out2 2>err
jqtest '.errors[0].error == "slack: chat.postMessage: internal_error (HTTP 500)" and
	(.slack.channel_id | length) > 0 and .slack.ts == null' out2
inc-slack --strict <out2 >out3 2>err
must_be_empty err
slack_state
test "$(jq '[.channels[].messages[]] | length' state.json)" -eq 1
test "$(jq -r .slack.ts out3)" = "$(jq -r '.channels[0].messages[0].ts' state.json)"
# A 429: nothing was made, so the same post goes again, a second later.
start_slack --rate-limit 1 --retry-after 1 --rate-limit-method chat.postMessage
inc-slack --strict <in >out4 2>err
must_be_empty err
test "$(jq -c -s 'map(select(.api == "chat.postMessage") | .status)' slack.log)" = "[429,200]"
jq -e -s 'map(select(.api == "chat.postMessage")) | .[1].start - .[0].end >= 0.95' slack.log \
	>/dev/null || fail "retried too early"
test "$(calls conversations.history)" -eq 0
slack_state
test "$(jq '[.channels[].messages[]] | length' state.json)" -eq 1
