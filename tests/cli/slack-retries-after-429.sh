#!/bin/sh
# inc-slack waits as a 429's Retry-After says and sends the same request again: one channel and one message in the end, no error.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack --rate-limit 1 --retry-after 1 --rate-limit-method conversations.create
printf '%s\n' '{"id":"R-1","title":"rate","severity":"HIGH"}' >in
inc-slack --strict <in >out 2>err
must_be_empty err
test "$(jq -c -s 'map(select(.api == "conversations.create") | .status)' slack.log)" = "[429,200]" ||
	fail "$(jq -c -s 'map([.api, .status])' slack.log)"
jq -e -s 'map(select(.api == "conversations.create")) |
	.[0].answer == {"ok": false, "error": "ratelimited"} and .[0].body == .[1].body and
	.[1].start - .[0].end >= 0.95 and .[1].start - .[0].end < 3' slack.log >/dev/null ||
	fail "retried at the wrong time: $(jq -c -s 'map([.api, .start, .end])' slack.log)"
jqtest '.errors == null and (.slack.ts | length) > 0' out
slack_state
test "$(jq '[.channels[].messages[]] | length' state.json)" -eq 1
# INC_SLACK_ATTEMPTS=1: the 429 is final, and the record says so.
start_slack --rate-limit 5
INC_SLACK_ATTEMPTS=1 expect_code 1 inc-slack --strict <in >out2 2>err
jqtest '.errors[0].error == "slack: conversations.create: ratelimited (HTTP 429)"' out2
test "$(lines slack.log)" -eq 1
