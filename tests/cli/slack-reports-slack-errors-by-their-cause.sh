#!/bin/sh
# An ok:false answer becomes an errors[] entry naming the method and Slack's error code, the record is passed on, and --strict exits 1; the token never shows.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --fail conversations.create=restricted_action
printf '%s\n' '{"id":"E-1","title":"a","severity":"HIGH"}' \
	'{"id":"E-2","title":"b","severity":"HIGH"}' >in
inc-slack <in >out 2>err
test "$(lines out)" -eq 2
jq -e -s 'all(.[]; .errors == [{"stage": "inc-slack",
	"error": "slack: conversations.create: restricted_action", "at": .errors[0].at}] and
	.slack == null)' out >/dev/null || fail "$(cat out)"
expect_code 1 inc-slack --strict <in >/dev/null 2>err
# A bad token: invalid_auth, said as such.
start_slack
SLACK_BOT_TOKEN=xoxp-not-a-bot-token expect_code 1 inc-slack --strict <in >out 2>err
jq -e -s 'all(.[]; .errors[0].error == "slack: conversations.create: invalid_auth")' out >/dev/null ||
	fail "$(cat out)"
# A failed post keeps the channel, so the next pass only posts.
start_slack --fail chat.postMessage=channel_not_found
expect_code 1 inc-slack --strict <in >out 2>err
jq -e -s 'all(.[]; .errors[0].error == "slack: chat.postMessage: channel_not_found" and
	(.slack.channel_id | length) > 0 and .slack.ts == null)' out >/dev/null || fail "$(cat out)"
# The service is down: the transport error is named.
SLACK_API_URL=http://127.0.0.1:9/api INC_SLACK_ATTEMPTS=1 expect_code 1 inc-slack --strict <in >out 2>err
jq -e -s 'all(.[]; .errors[0].error | startswith("slack: conversations.create: "))' out >/dev/null ||
	fail "$(cat out)"
if grep -q 'secret-token\|not-a-bot-token' out err; then
	fail "a token was shown"
fi
