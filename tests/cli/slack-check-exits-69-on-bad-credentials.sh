#!/bin/sh
# inc-slack --check calls auth.test before reading: a bad token or an API that cannot be reached ends it with exit 69 and a message naming the cause; a good token goes on.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
printf '%s\n' '{"id":"K-1","title":"a","severity":"HIGH"}' >in
SLACK_BOT_TOKEN=xoxp-wrong-kind-of-token expect_code 69 inc-slack --check <in >out 2>err
must_be_empty out
grep -qx 'inc-slack: slack: auth.test: invalid_auth' err || fail "$(cat err)"
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = "auth.test"
SLACK_API_URL=http://127.0.0.1:9/api INC_SLACK_ATTEMPTS=1 expect_code 69 inc-slack --check <in >out 2>err
must_be_empty out
grep -q '^inc-slack: slack: auth.test: ' err || fail "$(cat err)"
! grep -q 'wrong-kind\|secret-token' err || fail "a token was shown"
# A good one: checked, then the records.
: >slack.log
inc-slack --check -q <in >out 2>err
must_be_empty err
test "$(jq -r -s 'map(.api // empty) | join(" ")' slack.log)" = \
	"auth.test conversations.create chat.postMessage"
jqtest '.headers.Authorization == "Bearer xoxb-test-secret-token"' slack.log
jqtest '(.slack.ts | length) > 0' out
