#!/bin/sh
# inc-slack names an incident's channel incident-<id>, lowercased, with the characters Slack refuses turned into '-', and cut to 80 characters.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
long=$(printf 'L%.0s' $(seq 1 128))
printf '%s\n' \
 '{"id":"INC-20261127-021906-123456-K7QF","title":"a","severity":"HIGH"}' \
 '{"id":"am-3f9a:Disk.Full_x","title":"b","severity":"HIGH"}' \
 "{\"id\":\"$long\",\"title\":\"c\",\"severity\":\"HIGH\"}" >in
inc-slack --strict <in >out 2>err
must_be_empty err
jq -r 'select(.api == "conversations.create") | .body.name' slack.log | sort >got
sort >want <<NAMES
incident-inc-20261127-021906-123456-k7qf
incident-am-3f9a-disk-full_x
incident-$(printf 'l%.0s' $(seq 1 71))
NAMES
cmp_expect want got
test "$(awk 'length > 80' got | wc -l)" -eq 0
# The stand-in accepted each name (it refuses what Slack refuses).
jq -e -s 'map(select(.api == "conversations.create")) |
	all(.[]; .answer.ok == true)' slack.log >/dev/null || fail "$(cat slack.log)"
jq -e -s 'all(.[]; .slack.channel | test("^incident-[a-z0-9_-]+$"))' out \
	>/dev/null || fail "$(cat out)"
