#!/bin/sh
# With INC_API_TOKENS_FILE, every /api/ route but /api/health needs a bearer token whose SHA-256 is in the file, and no token is ever logged.
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
printf 's3cret-token-1' | sha256sum | cut -d' ' -f1 >tokens
printf '# ops\n\n%s\n' "$(printf 'other' | sha256sum | cut -d' ' -f1)" >>tokens
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
test "$(req GET /api/v1/incidents)" = 401
jqtest '.error | length > 0' body
test "$(req GET /api/v1/incidents -H 'Authorization: Bearer wrong')" = 401
test "$(req GET /api/v1/incidents -H 'Authorization: Basic czNjcmV0')" = 401
test "$(post /api/v1/incidents '{"description":"x"}')" = 401
test -z "$(ls "$INC_STATE_DIR/spool/new")"
test "$(req GET /api/v1/incidents -H 'Authorization: Bearer s3cret-token-1')" = 200
test "$(req GET /api/v1/incidents -H 'Authorization: bearer other')" = 200
test "$(req POST /api/v1/incidents -H 'Authorization: Bearer s3cret-token-1' \
	-H 'Content-Type: application/json' --data-binary '{"description":"x"}')" = 202
test "$(req GET /api/health)" = 200
! grep -r 's3cret' httpd-*.err
# A file that is not hashes stops the start with a configuration error.
echo 'not-a-hash' >bad
INC_API_TOKENS_FILE=$PWD/bad expect_code 78 inc-httpd -l 127.0.0.1:0 2>err
grep -q 'not a SHA-256' err
