#!/bin/sh
# Without SLACK_BOT_TOKEN inc-slack sends nothing and passes every record with slack.skipped "not configured", quietly; what an earlier pass made stays.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
start_slack
unset SLACK_BOT_TOKEN
printf '%s\n' '{"id":"N-1","title":"a","severity":"HIGH"}' \
	'{"id":"N-2","title":"b","severity":"LOW","status":"acknowledged","slack":{"channel_id":"C1","channel":"incident-n-2","ts":"1.2","status":"open"}}' \
	'{"id":"kb-1","kind":"kb","title":"runbook","severity":"HIGH","resolution":"x"}' >in
inc-slack --strict --check <in >out 2>err
must_be_empty err
must_be_empty slack.log
jq -c . >want <<'EOF2'
{"id":"N-1","title":"a","severity":"HIGH","slack":{"skipped":"not configured"}}
{"id":"N-2","title":"b","severity":"LOW","status":"acknowledged","slack":{"channel_id":"C1","channel":"incident-n-2","ts":"1.2","status":"open"}}
{"id":"kb-1","kind":"kb","title":"runbook","severity":"HIGH","resolution":"x"}
EOF2
cmp_expect want out
