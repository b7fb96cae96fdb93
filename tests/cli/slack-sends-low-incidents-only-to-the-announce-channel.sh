#!/bin/sh
# inc-slack makes channels from MEDIUM up (--min-severity); a LOW incident goes only to the announce channel when one is set, and is skipped otherwise; a new channel is announced there with a link.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --existing general
printf '%s\n' '{"id":"A-1","title":"low one","severity":"LOW"}' \
	'{"id":"A-2","title":"medium one","severity":"MEDIUM"}' >in
# No announce channel: the LOW one is skipped, without a request.
inc-slack --strict <in >out 2>err
must_be_empty err
test "$(calls conversations.create)" -eq 1
jq -e -s '.[0].slack == {"skipped": "below the minimum severity"} and
	.[1].slack.channel == "incident-a-2"' out >/dev/null || fail "$(cat out)"
# With one: the LOW incident's message goes there, no channel is made.
: >slack.log
printf '%s\n' '{"id":"A-3","title":"low two","severity":"LOW"}' >in3
INC_SLACK_ANNOUNCE_CHANNEL=general inc-slack --strict <in3 >out3 2>err
must_be_empty err
test "$(calls conversations.create)" -eq 0
test "$(calls chat.postMessage)" -eq 1
slack_state
gen=$(jq -r '.channels[] | select(.name == "general") | .id' state.json)
jq -e --arg g "$gen" '.slack.channel_id == $g and .slack.channel == "general" and
	(.slack.ts | length) > 0' out3 >/dev/null || fail "$(cat out3)"
jqtest 'select(.api == "chat.postMessage") | .body.channel == "general" and
	any(.body.blocks[]; .type == "actions")' slack.log
# A HIGH one gets its channel, and an announcement linking to it.
: >slack.log
printf '%s\n' '{"id":"A-4","title":"high one","severity":"HIGH"}' >in4
INC_SLACK_ANNOUNCE_CHANNEL=general inc-slack --strict <in4 >out4 2>err
must_be_empty err
c=$(jq -r .slack.channel_id out4)
jq -e -s --arg c "$c" 'map(select(.api == "chat.postMessage")) | length == 2 and
	.[0].body.channel == $c and .[1].body.channel == "general" and
	(.[1].body.text | contains("<#" + $c + ">")) and
	(.[1].body.blocks[0].text.text | contains("<#" + $c + ">"))' slack.log >/dev/null ||
	fail "$(cat slack.log)"
jq -e '.slack.announce_ts | length > 0' out4 >/dev/null || fail "$(cat out4)"
# --min-severity HIGH: a MEDIUM incident is announced only.
: >slack.log
printf '%s\n' '{"id":"A-5","title":"medium two","severity":"MEDIUM"}' >in5
INC_SLACK_ANNOUNCE_CHANNEL=general inc-slack --min-severity HIGH <in5 >out5 2>err
test "$(calls conversations.create)" -eq 0
jqtest '.slack.channel == "general"' out5
# The same from the setting; a bad value is refused.
: >slack.log
INC_SLACK_MIN_SEVERITY=LOW inc-slack <in3 >out6 2>err
test "$(calls conversations.create)" -eq 1
expect_code 64 inc-slack --min-severity URGENT <in3 >/dev/null 2>err
grep -q '^inc-slack: --min-severity: LOW, MEDIUM or HIGH: URGENT$' err || fail "$(cat err)"
INC_SLACK_MIN_SEVERITY=urgent expect_code 78 inc-slack <in3 >/dev/null 2>err
