#!/bin/sh
# inc-ingest checks the sender's times and keeps them in UTC, so times from any source sort as strings.
. "${0%/*}/../testlib.sh"
printf '%s\n' '{"id":"t1","description":"d","reported_at":"2026-11-27T03:00:00+01:00"}' \
	'{"id":"t2","description":"d","reported_at":"yesterday"}' \
	'{"id":"t3","description":"d","received_at":"2026-11-27T02:00:00.5Z"}' >in
expect_code 65 inc-ingest in >out 2>err
jqtest 'select(.id=="t1") | .reported_at=="2026-11-27T02:00:00.000000Z"' out
jqtest 'select(.id=="t3") | .received_at=="2026-11-27T02:00:00.500000Z"' out
grep -q '^inc-ingest: in: line 2: reported_at is not an RFC 3339 time$' err
