#!/bin/sh
# Without Twilio credentials or an on-call list, inc-call passes every incident on with "call": {"skipped": "not configured"}, rings nobody and exits 0; --escalate does nothing.
. "${0%/*}/../testlib.sh"
unset TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_FROM TWILIO_API_URL INC_ONCALL \
	INC_PUBLIC_URL 2>/dev/null || true
printf '%s\n' '{"id":"n-1","title":"One","description":"d","severity":"HIGH","team":"db"}' |
	inc-ingest >in
inc-call --strict <in >out 2>err
jqtest '.call == {"skipped": "not configured"} and .team == "db" and .errors == null' out
expect_code 0 inc-call --escalate
# Credentials but no on-call list: the same.
start_twilio
export INC_PUBLIC_URL=https://inc.example.com
inc-call --strict <in >out 2>err
jqtest '.call == {"skipped": "not configured"}' out
must_be_empty twilio.log
# Credentials and a list but no INC_PUBLIC_URL: a configuration error,
# since nobody could press a key.
unset INC_PUBLIC_URL
export INC_ONCALL=+14155550101
expect_code 78 inc-call <in >out 2>err
grep -q 'INC_PUBLIC_URL' err
must_be_empty twilio.log
