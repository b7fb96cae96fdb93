#!/bin/sh
# inc-httpd writes a report into the spool's new/ before it answers 202, generates a missing id, and answers a re-post of an accepted id without a second entry.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
start_httpd
code=$(post /api/v1/incidents '{"id":"INC-D-1","type":"DATABASE","description":"Database connection timeout","source":"monitoring","metadata":{"host":"db-01"},"title":"db"}')
test "$code" = 202 || { cat body; fail "POST answered $code"; }
jqtest '.id == "INC-D-1" and .status == "accepted" and
	.statusUrl == "/api/v1/incidents/INC-D-1/status"' body
# The entry is whole in new/ by the time the answer arrives.
test "$(ls "$spool/new" | wc -l)" -eq 1
test -z "$(ls "$spool/tmp")"
jq -e '.id == "INC-D-1" and .metadata.host == "db-01"' "$spool/new/"* >/dev/null
# The same id again (a sender retrying): 202, no second entry.
code=$(post /api/v1/incidents '{"id":"INC-D-1","description":"Database connection timeout"}')
test "$code" = 202
jqtest '.id == "INC-D-1" and .status == "accepted"' body
test "$(ls "$spool/new" | wc -l)" -eq 1
# Queued until the pipeline stores it.
test "$(req GET /api/v1/incidents/INC-D-1)" = 200
jqtest '.id == "INC-D-1" and .status == "queued"' body
test "$(req GET /api/v1/incidents/INC-D-1/status)" = 200
jqtest '.status == "queued"' body
# No id: one is generated, and is in the spooled body.
code=$(post /api/v1/incidents '{"description":"disk full on web-3"}')
test "$code" = 202
id=$(jq -r .id body)
case $id in INC-*) ;; *) fail "generated id $id" ;; esac
test "$(ls "$spool/new" | wc -l)" -eq 2
grep -l "\"id\":\"$id\"" "$spool/new/"* >/dev/null
# Once stored, a re-post is still accepted without a new entry.
inc-ingest --spool "$spool" | inc-store --ack "$spool" >/dev/null
test -z "$(ls "$spool/new")"
code=$(post /api/v1/incidents '{"id":"INC-D-1","description":"Database connection timeout"}')
test "$code" = 202
test -z "$(ls "$spool/new")"
