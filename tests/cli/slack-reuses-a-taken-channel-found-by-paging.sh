#!/bin/sh
# When conversations.create answers name_taken, inc-slack pages through conversations.list (a form, cursor by cursor) to the channel of that name, reuses it, and posts after looking for an earlier message; an archived channel of that name is an error, not a second channel.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --filler 250 --page-size 100 --existing incident-t-1 --archived incident-t-2
slack_state
old=$(jq -r '.channels[] | select(.name == "incident-t-1") | .id' state.json)
printf '%s\n' '{"id":"T-1","title":"taken","severity":"HIGH"}' >in
inc-slack --strict <in >out 2>err
must_be_empty err
jq -e --arg c "$old" '.slack.channel_id == $c and .slack.channel == "incident-t-1" and
	(.slack.ts | length) > 0 and .errors == null' out >/dev/null || fail "$(cat out)"
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = \
	"conversations.create conversations.list conversations.list conversations.list conversations.history chat.postMessage" ||
	fail "calls: $(jq -r -s 'map(.api // empty) | join(" ")' slack.log)"
jq -s 'map(select(.api == "conversations.list"))' slack.log >lists
# Forms, not JSON; archived channels included, private ones too; each
# page's cursor is the one the page before gave.
jq -e 'all(.[]; (.headers["Content-Type"] | startswith("application/x-www-form-urlencoded")) and
	.form.exclude_archived == "false" and .form.types == "public_channel,private_channel")' lists >/dev/null ||
	fail "$(cat lists)"
jq -e '.[0].form.cursor == null and
	.[1].form.cursor == .[0].answer.response_metadata.next_cursor and
	.[2].form.cursor == .[1].answer.response_metadata.next_cursor and
	(.[2].answer.channels | map(.name) | index("incident-t-1")) != null' lists >/dev/null ||
	fail "cursors: $(jq -c 'map(.form)' lists)"
export old
jqtest 'select(.api == "conversations.history") | .form.channel == env.old and
	.form.include_all_metadata == "true"' slack.log
slack_state
test "$(jq '[.channels[] | select(.name == "incident-t-1")] | length' state.json)" -eq 1
test "$(jq '[.channels[] | select(.name == "incident-t-1") | .messages[]] | length' state.json)" -eq 1
# Archived: the record says why, and nothing is made.
: >slack.log
printf '%s\n' '{"id":"T-2","title":"archived","severity":"HIGH"}' >in2
expect_code 1 inc-slack --strict <in2 >out2 2>err
jqtest '.errors[0].stage == "inc-slack" and (.errors[0].error | contains("#incident-t-2 is archived")) and .slack == null' out2
test "$(calls chat.postMessage)" -eq 0
