#!/bin/sh
# inc-pipeline with inc-slack in it, its inc-slack killed mid-run while the final inc-store is held, then started again: every incident ends with exactly one channel and one initial message, and its stored slack key names them.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_slack --delay 30
INC_SLACK_MIN_SEVERITY=LOW INC_SLACK_CONCURRENCY=4
export INC_SLACK_MIN_SEVERITY INC_SLACK_CONCURRENCY

drop() {
	n=$1
	while [ "$n" -le "$2" ]; do
		e=1700000000.$n.S1Q$n.h
		spool_put "$spool" "$e" "{\"id\":\"SP-$n\",\"title\":\"host-$n down\",\"description\":\"host-$n disk full\"}"
		n=$((n + 1))
	done
}
stored() { inc-store stats | jq .incidents; }
posted() { calls chat.postMessage; }
acker() { pgrep -P "$1" -f 'inc-store.*--ack'; }

inc-pipeline --no-seed >out1 2>err1 &
pid=$!
when_finished "kill $pid 2>/dev/null"
wait_for 15 'pgrep -P $pid -x inc-slack >/dev/null && acker $pid >/dev/null'
drop 1 5
wait_for 15 '[ "$(stored)" -eq 5 ] && [ "$(spooled "$spool")" -eq 0 ]'
test "$(posted)" -eq 5

# Hold the final inc-store: what inc-slack does from now on is not
# stored.  Kill inc-slack once it has posted some and not all.
ack=$(acker $pid)
kill -STOP "$ack"
drop 6 40
wait_for 15 '[ "$(posted)" -ge 12 ]'
kill -KILL "$(pgrep -P $pid -x inc-slack)"
# The held inc-store dies too, storing nothing more: every report posted
# since it was held is in the crash window, whatever inc-slack had
# written out when it died.
kill -KILL "$ack"
set +e
wait $pid
rc=$?
set -e
test "$rc" -ne 0 || fail "exit 0 after inc-slack was killed"
test "$(posted)" -lt 40 || fail "all posted before the kill: not mid-run"

inc-pipeline --no-seed >out2 2>err2 &
pid=$!
wait_for 15 '[ "$(stored)" -eq 40 ] && [ "$(spooled "$spool")" -eq 0 ]'
kill -TERM $pid
wait $pid
must_be_empty err2
slack_state
jq -r '.channels[] | select(.name | startswith("incident-sp-")) | .name' state.json | sort >names
test "$(lines names)" -eq 40 || fail "$(lines names) channels"
test -z "$(uniq -d names)"
jq -e '[.channels[] | select(.name | startswith("incident-sp-")) |
	(.messages | map(select(.thread_ts == null)) | length)] | all(. == 1)' state.json >/dev/null ||
	fail "$(jq -c '[.channels[] | [.name, (.messages | length)]]' state.json)"
test "$(posted)" -eq 40 || fail "$(posted) messages posted"
# Those posted while the final inc-store was held were found again by
# name_taken and the message's metadata, not posted twice.
test "$(calls conversations.history)" -ge 1 || fail "no lookup: no crash window"
# The store knows each channel and message.
inc-store list --limit 1000 >stored.json
jq -S -s 'map({key: .id, value: [.slack.channel_id, .slack.ts]}) | from_entries' stored.json >keys
jq -S '[.channels[] | select(.name | startswith("incident-sp-")) |
	{key: (.name | sub("incident-sp-"; "SP-")), value: [.id, .messages[0].ts]}] | from_entries' \
	state.json >made
cmp_expect made keys
