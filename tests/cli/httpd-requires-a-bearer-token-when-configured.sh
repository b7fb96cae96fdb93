#!/bin/sh
# With INC_API_TOKENS_FILE, every /api/ route but /api/health needs a bearer token whose SHA-256 is in the file, and no token is ever logged.
. "${0%/*}/../testlib.sh"
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
