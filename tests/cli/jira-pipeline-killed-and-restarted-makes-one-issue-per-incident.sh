#!/bin/sh
# inc-pipeline with inc-jira, its last inc-store killed while issues were made but not yet stored, started again: the replayed records find their issues by label, and each incident has exactly one issue.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE SLACK_BOT_TOKEN TWILIO_ACCOUNT_SID \
	TWILIO_AUTH_TOKEN INC_ONCALL 2>/dev/null || true
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_jira jira --delay 20

drop() {
	n=$1
	while [ "$n" -le "$2" ]; do
		e=1700000000.$n.P88Q$n.h
		spool_put "$spool" "$e" "{\"id\":\"J-$n\",\"description\":\"host-$n disk full\"}"
		n=$((n + 1))
	done
}
ticketed() { inc-store list --limit 1000 | jq -s 'map(select(.jira.key)) | length'; }
created() { jq -s 'map(select(.method == "POST" and .status == 201)) | length' jira.log; }

inc-pipeline --no-seed >out1 2>err1 &
pid=$!
when_finished "kill $pid 2>/dev/null"
wait_for 10 'pgrep -P $pid -x inc-jira >/dev/null'
drop 1 10
wait_for 10 '[ "$(ticketed)" -eq 10 ] && [ "$(spooled "$spool")" -eq 0 ]'

# Hold the last inc-store: inc-jira makes issues whose records wait in
# the pipe; then kill it, as a crash would, before it stores them.
last=$(pgrep -P $pid -f 'inc-store .*--ack')
kill -STOP "$last"
drop 11 40
wait_for 10 '[ "$(created)" -ge 20 ]'
sleep 0.5
kill -KILL "$last"
set +e
wait $pid
rc=$?
set -e
test "$rc" -ne 0 || fail "exit 0 after a stage was killed"
then=$(ticketed)
test "$then" -lt 40 || fail "nothing left to replay"
# The crash window: issues made whose records were never stored.
test "$(created)" -gt "$then" || fail "$(created) issues, $then stored: no crash window"

inc-pipeline --no-seed >out2 2>err2 &
pid=$!
wait_for 10 '[ "$(ticketed)" -eq 40 ] && [ "$(spooled "$spool")" -eq 0 ]'
kill -TERM $pid
wait $pid
# One issue per incident, whatever the replay did.
jq -r 'select(.method == "POST" and .status == 201) | .body.fields.labels[1]' jira.log |
	sort | uniq -c | awk '$1 != 1' >twice
must_be_empty twice
test "$(created)" -eq 40 || fail "$(created) issues for 40 incidents"
# The replay found issues made before the crash instead of making them again.
jq -e -s '[.[] | select(.path | contains("/search/jql")) | select(.answer.issues | length > 0)] |
	length >= 1' jira.log >/dev/null || fail "no replayed record found its issue"
inc-store list --limit 1000 | jq -r '"\(.id) \(.jira.key)"' | sort >keys
test "$(cut -d' ' -f2 keys | sort -u | wc -l)" -eq 40 || fail "$(cat keys)"
