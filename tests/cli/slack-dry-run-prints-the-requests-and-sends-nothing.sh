#!/bin/sh
# inc-slack --dry-run sends nothing: it prints each request it would make as JSON on stderr, the token masked, and marks the record slack.dry_run.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
printf '%s\n' '{"id":"D-1","title":"dry","severity":"HIGH"}' >in
INC_SLACK_INVITE=U0AAA INC_SLACK_ANNOUNCE_CHANNEL=general \
	inc-slack --dry-run --check --strict <in >out 2>err
must_be_empty slack.log
test "$(lines err)" -eq 4 || fail "$(cat err)"
jq -e -s --arg u "$SLACK_API_URL" 'map(.url) == [$u + "/conversations.create",
	$u + "/conversations.invite", $u + "/chat.postMessage", $u + "/chat.postMessage"] and
	all(.[]; .method == "POST" and .headers.Authorization == "Bearer *") and
	.[0].body == {"name": "incident-d-1"} and
	.[1].body.users == "U0AAA" and
	.[2].body.channel == "incident-d-1" and (.[2].body.blocks | length) > 2 and
	.[3].body.channel == "general"' err >/dev/null || fail "$(cat err)"
! grep -q 'secret-token' err || fail "the token was shown"
jqtest '.slack == {"channel": "incident-d-1", "dry_run": true}' out
# A later real pass does not take the dry run for a channel.
inc-slack --strict <out >out2 2>err
must_be_empty err
test "$(calls conversations.create)" -eq 1
jqtest '(.slack.channel_id | length) > 0 and .slack.dry_run == null' out2
# A status change in a dry run: the edit and the reply are printed, and
# the channel and message of the earlier pass stay in the record.
: >slack.log
jq -c '.status = "acknowledged"' out2 >ack
inc-slack --dry-run <ack >out3 2>err
must_be_empty slack.log
test "$(jq -r -s 'map(.url | sub(".*/"; "")) | join(" ")' err)" = "chat.update chat.postMessage" ||
	fail "$(cat err)"
test "$(jq -c '.slack | del(.dry_run)' out3)" = "$(jq -c .slack out2)"
jqtest '.slack.dry_run == true' out3
# A real pass after it still posts the change.
inc-slack --strict <out3 >out4 2>err
test "$(calls chat.update)" -eq 1
jqtest '.slack.status == "acknowledged" and .slack.dry_run == null' out4
