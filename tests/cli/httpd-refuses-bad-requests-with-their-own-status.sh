#!/bin/sh
# inc-httpd answers each bad request with its own status and a JSON error: 400 malformed or invalid, 415 not JSON, 413 too large, 404 unknown route, 405 wrong method with Allow.
. "${0%/*}/../testlib.sh"
INC_HTTP_MAX_BODY=2000 start_httpd
spool=$INC_STATE_DIR/spool
expect() { # STATUS CODE: the code and an {"error": "..."} body
	test "$2" = "$1" || { cat body >&2; fail "expected $1, got $2"; }
	jq -e '.error | type == "string" and length > 0' body >/dev/null ||
		fail "no error in $(cat body)"
}
expect 400 "$(post /api/v1/incidents '{"description":')"
grep -q 'malformed JSON' body
expect 400 "$(post /api/v1/incidents '[1,2]')"
expect 400 "$(post /api/v1/incidents '{"description":"   "}')"
expect 400 "$(post /api/v1/incidents '{"id":"bad id!","description":"x"}')"
expect 400 "$(post /api/v1/incidents '{"description":"x","metadata":"no"}')"
expect 415 "$(req POST /api/v1/incidents -H 'Content-Type: text/plain' --data-binary '{"description":"x"}')"
grep -q 'application/json' body
expect 415 "$(req POST /api/v1/incidents --data-binary '{"description":"x"}')"
head -c 3000 /dev/zero | tr '\0' a >big
expect 413 "$(req POST /api/v1/incidents -H 'Content-Type: application/json' --data-binary @big)"
# Chunked, with no length to refuse up front.
expect 413 "$(req POST /api/v1/incidents -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @big)"
expect 404 "$(req GET /api/v1/nothing)"
expect 404 "$(req GET /api/v1/incidents/x/y)"
expect 405 "$(req DELETE /api/v1/incidents)"
curl -s -i -X PUT "$URL/api/health" | tr -d '\r' | grep -qi '^Allow: GET$'
curl -s -i -X GET "$URL/api/v1/alerts/grafana" | tr -d '\r' | grep -qi '^Allow: POST$'
expect 400 "$(post /api/v1/alerts/alertmanager '{"description":"not a webhook"}')"
expect 400 "$(post /api/v1/incidents/INC-X/resolve '{}')"
expect 400 "$(req GET '/api/v1/incidents?limit=0')"
expect 400 "$(req GET '/api/v1/incidents?severity=HUGE')"
expect 400 "$(req GET '/api/v1/incidents?since=yesterday')"
expect 400 "$(req GET '/api/knowledge/search')"
# Nothing of it reached the spool.
test -z "$(ls "$spool/new")"
# The default limit is 1 MiB.
INC_HTTP_MAX_BODY= start_httpd
head -c 1100000 /dev/zero | tr '\0' a >big
expect 413 "$(req POST /api/v1/incidents -H 'Content-Type: application/json' --data-binary @big)"
printf '{"description":"%s"}' "$(head -c 60000 /dev/zero | tr '\0' a)" >ok
test "$(req POST /api/v1/incidents -H 'Content-Type: application/json' --data-binary @ok)" = 202
