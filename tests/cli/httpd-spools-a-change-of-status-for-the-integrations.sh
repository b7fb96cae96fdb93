#!/bin/sh
# An ack or a resolution through the API is spooled again, so that the
# pipeline carries the new status to Slack, Jira and the phone; the stages
# find beside it what they made on the first pass.
. "${0%/*}/../testlib.sh"
printf '%s\n' '{"id":"CH-1","title":"disk full","description":"db-01 disk full","severity":"HIGH"}' |
	inc-ingest | inc-store >/dev/null
printf '%s\n' '{"id":"CH-1","title":"disk full","description":"db-01 disk full","severity":"HIGH","slack":{"channel_id":"C9","ts":"1.5","status":"open"}}' |
	inc-store >/dev/null
spool=$INC_STATE_DIR/spool
start_httpd
test "$(post /api/v1/incidents/CH-1/ack '{"by":"alice"}')" = 200
ls "$spool/new" >entries
test "$(lines entries)" -eq 1 || fail "expected one spool entry"
jqtest '.id=="CH-1" and .status=="acknowledged" and
	.acknowledged_by=="alice" and .slack.channel_id=="C9" and
	(has("embedding") | not)' "$spool/new/$(cat entries)"
# Through the pipe's first stages: the stored lifecycle and the stage's
# own key reach inc-slack's input.
inc-ingest --spool "$spool" | inc-store >out
jqtest '.id=="CH-1" and .status=="acknowledged" and .slack.ts=="1.5"' out
test "$(post /api/v1/incidents/CH-1/resolve '{"resolution":"freed space"}')" = 200
ls "$spool/new" >entries
test "$(lines entries)" -eq 1 || fail "expected the resolution's entry"
jqtest '.status=="resolved" and .resolution=="freed space"' \
	"$spool/new/$(cat entries)"
# An unknown id changes nothing and spools nothing.
test "$(post /api/v1/incidents/NOPE/ack '{}')" = 404
ls "$spool/new" >entries
test "$(lines entries)" -eq 1
