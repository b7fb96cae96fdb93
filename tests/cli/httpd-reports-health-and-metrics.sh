#!/bin/sh
# inc-httpd's health check says ok while store and spool work and 503 with the reason when the spool is gone, and /metrics counts requests in the Prometheus text format.
. "${0%/*}/../testlib.sh"
# start_httpd [ARGS]: inc-httpd on a free port of 127.0.0.1; sets URL
# (its stderr goes to httpd.err).
start_httpd() {
	inc-httpd -l 127.0.0.1:0 "$@" 2>httpd.err &
	when_finished "kill $! 2>/dev/null; wait $! 2>/dev/null"
	i=0
	while ! PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' httpd.err) ||
	    [ -z "$PORT" ]; do
		[ $i -lt 100 ] || { cat httpd.err >&2; fail "inc-httpd did not start"; }
		sleep 0.05; i=$((i + 1))
	done
	URL=http://127.0.0.1:$PORT
	mv httpd.err "httpd-$PORT.err"
}
# req METHOD PATH [CURL ARGS]: the status on stdout, the body in "body".
req() {
	_m=$1 _p=$2; shift 2
	curl -s -o body -w '%{http_code}' -X "$_m" "$@" "$URL$_p"
}
# post PATH JSON: POST JSON as application/json.
post() {
	req POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}
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
# The spool is gone: not healthy, and reports are refused with 503.
mv "$spool" "$spool.away"
test "$(req GET /api/health)" = 503
jqtest '.status == "unavailable" and (.error | test("spool"))' body
test "$(post /api/v1/incidents '{"description":"two"}')" = 503
jqtest '.error | test("spool")' body
test "$(post /api/v1/alerts/alertmanager '{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A"},"startsAt":"2026-01-01T00:00:00Z"}]}')" = 503
mv "$spool.away" "$spool"
test "$(req GET /api/health)" = 200
