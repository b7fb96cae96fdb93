#!/bin/sh
# inc-call --check asks Twilio for the account: exit 0 when the credentials work, 69 when Twilio refuses them or cannot be reached, 78 when none are set.
. "${0%/*}/../testlib.sh"
start_twilio
inc-call --check >out 2>err
jq -e -s 'length == 1 and .[0].method == "GET" and
	.[0].path == "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef.json" and
	.[0].status == 200' twilio.log >/dev/null || fail "$(cat twilio.log)"
TWILIO_AUTH_TOKEN=nope expect_code 69 inc-call --check >out 2>err
grep -q 'code 20003' err
! grep -q nope err
TWILIO_API_URL=http://127.0.0.1:9 expect_code 69 inc-call --check 2>err
grep -q unreachable err
unset TWILIO_ACCOUNT_SID
expect_code 78 inc-call --check 2>err
grep -q 'not configured' err
