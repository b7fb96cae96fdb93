#!/bin/sh
# inc-httpd's knowledge search embeds the query with the local model and answers the nearest knowledge-base documents, best first, as many as maxResults.
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
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_httpd
test "$(req GET '/api/knowledge/search?query=disk%20full&maxResults=3')" = 200
jqtest '.query == "disk full" and (.results | length) == 3 and
	all(.results[]; (.id | type) == "string" and (.title | type) == "string"
	and (.score | type) == "number") and
	.results[0].score >= .results[1].score' body
test "$(req GET '/api/knowledge/search?query=disk%20full')" = 200
jqtest '(.results | length) == 5' body
# The same documents inc-match finds for the same text.
echo '{"description":"disk full"}' | inc-ingest | inc-embed | inc-match -k 3 >m
test "$(jq -r '.matches[0].id' m)" = "$(req GET '/api/knowledge/search?query=disk%20full&maxResults=3' >/dev/null; jq -r '.results[0].id' body)"
test "$(req GET '/api/knowledge/search?query=x&maxResults=0')" = 400
