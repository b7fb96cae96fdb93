#!/bin/sh
# The same records through inc-slack again, with the slack key of the first pass and without it (a crash lost it), make no second channel and no second message.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --delay 20
for i in 1 2 3 4 5 6 7 8; do
	printf '{"id":"Y-%d","title":"replay %d","severity":"HIGH"}\n' $i $i
done >in
INC_SLACK_CONCURRENCY=3 inc-slack --strict <in >out1 2>err
must_be_empty err
# Order kept with requests in flight.
test "$(jq -r .id out1 | tr '\n' ' ')" = "Y-1 Y-2 Y-3 Y-4 Y-5 Y-6 Y-7 Y-8 "
inc-slack --strict <out1 >out2 2>err
must_be_empty err
inc-slack --strict <in >out3 2>err
must_be_empty err
inc-slack --strict <in >out4 2>err
test "$(calls conversations.create)" -eq 24
test "$(calls chat.postMessage)" -eq 8
test "$(calls chat.update)" -eq 0
slack_state
test "$(jq '.channels | length' state.json)" -eq 8
jq -e 'all(.channels[]; (.messages | length) == 1)' state.json >/dev/null || fail "$(cat state.json)"
# Each pass says the same channel and message.
for f in out2 out3 out4; do
	test "$(jq -c '[.id, .slack.channel_id, .slack.ts]' $f)" = \
		"$(jq -c '[.id, .slack.channel_id, .slack.ts]' out1)" || fail "$f differs"
done
