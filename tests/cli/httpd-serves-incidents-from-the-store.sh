#!/bin/sh
# inc-httpd lists stored incidents with filters, limit and offset, shows one and its status and the statistics, and acknowledges and resolves them.
. "${0%/*}/../testlib.sh"
for i in 1 2 3 4 5; do
	sev=LOW; [ $i -le 2 ] && sev=HIGH
	printf '{"id":"S-%d","description":"disk full %d","severity":"%s","reported_at":"2026-01-0%dT00:00:00Z"}\n' $i $i $sev $i
done | inc-ingest | inc-store >/dev/null
start_httpd
test "$(req GET /api/v1/incidents)" = 200
jqtest '.count == 5 and (.incidents | length) == 5 and (.incidents[0] | has("embedding") | not)' body
test "$(req GET '/api/v1/incidents?severity=HIGH')" = 200
jqtest '.count == 2 and all(.incidents[]; .severity == "HIGH")' body
test "$(req GET '/api/v1/incidents?limit=2')" = 200
jq -r '.incidents[].id' body >page1
test "$(lines page1)" -eq 2
test "$(req GET '/api/v1/incidents?limit=2&offset=2')" = 200
jq -r '.incidents[].id' body >page2
test "$(lines page2)" -eq 2
test -z "$(sort page1 page2 | uniq -d)"
test "$(req GET '/api/v1/incidents?offset=4')" = 200
jqtest '.count == 1' body
test "$(req GET /api/v1/incidents/S-1)" = 200
jqtest '.id == "S-1" and .severity == "HIGH" and .status == "open"' body
test "$(req GET /api/v1/incidents/S-1/status)" = 200
jqtest '.id == "S-1" and .status == "open" and .severity == "HIGH" and has("classification") and has("matches")' body
test "$(req GET /api/v1/incidents/NOPE)" = 404
test "$(req GET /api/v1/incidents/NOPE/status)" = 404
test "$(req GET /api/v1/incidents/stats)" = 200
jqtest '.incidents == 5 and .by_severity.HIGH == 2' body
# ack with no body at all, resolve with a resolution.
test "$(req POST /api/v1/incidents/S-1/ack)" = 200
jqtest '.status == "acknowledged"' body
test "$(post /api/v1/incidents/S-2/ack '{"by":"alice"}')" = 200
jqtest '.status == "acknowledged" and .acknowledged_by == "alice"' body
test "$(post /api/v1/incidents/S-1/resolve '{"resolution":"freed disk space"}')" = 200
jqtest '.status == "resolved" and .resolution == "freed disk space"' body
test "$(req GET '/api/v1/incidents?status=acknowledged')" = 200
jqtest '.count == 1 and .incidents[0].id == "S-2"' body
test "$(post /api/v1/incidents/NOPE/ack '{}')" = 404
test "$(post /api/v1/incidents/NOPE/resolve '{"resolution":"x"}')" = 404
inc-store get S-1 >got
jqtest '.status == "resolved"' got
