#!/bin/sh
# inc-httpd speaks HTTP/1.1 keep-alive: requests one after another reuse one connection.
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
start_httpd
curl -sv "$URL/api/health" "$URL/api/v1/incidents" "$URL/metrics" >out 2>err
test "$(grep -c 'Re-using existing connection' err)" -eq 2
grep -q '"status":"ok"' out
