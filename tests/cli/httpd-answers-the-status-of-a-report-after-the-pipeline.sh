#!/bin/sh
# A report posted to inc-httpd and run once through the pipeline shows its severity, classification method and matches on its status URL.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_httpd
code=$(post /api/v1/incidents '{"id":"INC-E2E-1","type":"DATABASE","description":"Database connection timeout","source":"monitoring","metadata":{"host":"db-01"}}')
test "$code" = 202
url=$(jq -r .statusUrl body)
test "$(req GET "$url")" = 200
jqtest '.status == "queued"' body
inc-ingest --spool "$spool" | inc-embed | inc-match | inc-classify |
	inc-store --ack "$spool" >out 2>err
test "$(lines out)" -eq 1
test -z "$(ls "$spool/new")"
test -z "$(ls "$spool/cur")"
test "$(req GET "$url")" = 200
jqtest '.id == "INC-E2E-1" and .status == "open" and
	(.severity | IN("LOW","MEDIUM","HIGH")) and
	(.classification.method | IN("rag","llm","rules")) and
	(.matches | length) > 0 and (.matches[0].id | type) == "string"' body
test "$(req GET /api/v1/incidents/INC-E2E-1)" = 200
jqtest '.id == "INC-E2E-1" and .metadata.host == "db-01" and .type == "DATABASE"' body
