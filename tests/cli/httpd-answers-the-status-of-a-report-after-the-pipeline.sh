#!/bin/sh
# A report posted to inc-httpd and run once through the pipeline shows its severity, classification method and matches on its status URL.
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
