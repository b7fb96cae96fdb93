#!/bin/sh
# inc-httpd's health check says ok while store and spool work and 503 with the reason when the spool is gone, and /metrics counts requests and spool writes (a histogram of their times, reports, failures) in the Prometheus text format.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
start_httpd
test "$(req GET /api/health)" = 200
jqtest '.status == "ok"' body
post /api/v1/incidents '{"description":"one"}' >/dev/null
req GET /api/v1/nothing >/dev/null
curl -s "$URL/metrics" >m
grep -q '^inc_http_requests_total{route="/api/v1/incidents",status="202"} 1$' m
grep -q '^inc_http_requests_total{route="none",status="404"} 1$' m
grep -q '^inc_http_requests_total{route="/api/health",status="200"} 1$' m
grep -q '^inc_http_request_duration_seconds_bucket{le="+Inf"} 3$' m
grep -q '^inc_http_request_duration_seconds_count 3$' m
grep -q '^inc_spool_depth 1$' m
grep -q '^inc_incidents{severity="HIGH"} 0$' m
grep -q '^# TYPE inc_http_request_duration_seconds histogram$' m
# One entry written for the one report; its time is in every bucket from
# some bound up, and the buckets never fall.
grep -q '^# TYPE inc_spool_write_seconds histogram$' m
grep -q '^inc_spool_write_seconds_count 1$' m
grep -q '^inc_spool_write_seconds_bucket{le="+Inf"} 1$' m
grep -q '^inc_spool_reports_total 1$' m
grep -q '^inc_spool_write_errors_total 0$' m
awk '/^inc_spool_write_seconds_bucket/ { if ($2 < last) exit 1; last = $2; n++ }
    /^inc_spool_write_seconds_sum/ { sum = $2 }
    END { exit !(n == 11 && sum > 0) }' m ||
	fail "spool write histogram: $(grep inc_spool_write m)"
# Three reports sent at once share entries: all three counted as reports.
pids=
for n in 1 2 3; do
	post /api/v1/incidents "{\"description\":\"at once $n\"}" >/dev/null &
	pids="$pids $!"
done
wait $pids
curl -s "$URL/metrics" >m
grep -q '^inc_spool_reports_total 4$' m
entries=$(ls "$spool/new" | wc -l)
grep -q "^inc_spool_write_seconds_count $entries\$" m ||
	fail "$entries entries, metrics say $(grep _count m)"
# A spool whose tmp/ is gone: the write fails, the report gets 503, and
# the failure is counted.
rmdir "$spool/tmp"
test "$(post /api/v1/incidents '{"description":"no tmp"}')" = 503
mkdir "$spool/tmp"
curl -s "$URL/metrics" >m
grep -q '^inc_spool_write_errors_total 1$' m
grep -q "^inc_spool_write_seconds_count $entries\$" m
# The spool is gone: not healthy, and reports are refused with 503.
mv "$spool" "$spool.away"
test "$(req GET /api/health)" = 503
jqtest '.status == "unavailable" and (.error | test("spool"))' body
test "$(post /api/v1/incidents '{"description":"two"}')" = 503
jqtest '.error | test("spool")' body
test "$(post /api/v1/alerts/alertmanager '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z"}]}')" = 503
mv "$spool.away" "$spool"
test "$(req GET /api/health)" = 200
