#!/bin/sh
# inc-ingest --spool claims entries from new/ into cur/, replays cur/ at start, tags records with their part, and sets aside entries that yield nothing.
. "${0%/*}/../testlib.sh"
S=spool
mkdir -p $S/new $S/cur $S/tmp
echo '{"id":"left-over","description":"claimed before a crash"}' >$S/cur/100.000001.P1Q1.h
echo '{"id":"n1","description":"first"}' >$S/new/200.000001.P1Q1.h
printf 'typed line one\ntyped line two\n' >$S/new/250.000001.P1Q1.h
printf '%s' '{"version":"4","receiver":"r","status":"firing","alerts":[{"labels":{"alertname":"A"},"annotations":{"description":"a"},"startsAt":"2024-01-01T00:00:00Z","fingerprint":"00000000000000aa"},{"labels":{"alertname":"B"},"annotations":{"description":"b"},"startsAt":"2024-01-01T00:00:00Z","fingerprint":"00000000000000bb"}]}' >$S/new/300.000001.P1Q1.h
echo '{"description": ' >$S/new/400.000001.P1Q1.h
printf '\0\0\0\0garbage' >$S/new/500.000001.P1Q1.h
expect_code 65 inc-ingest --spool $S >out 2>err
# Replayed first, then new entries oldest first; a webhook entry makes two parts.
test "$(jq -r .id out | grep -v '^INC-' | tr '\n' ' ')" = "left-over n1 am-00000000000000aa-20240101T000000.000000Z am-00000000000000bb-20240101T000000.000000Z " || fail "$(cat out)"
jqtest 'select(.id=="n1") | .spool=={"name":"200.000001.P1Q1.h","part":1,"parts":1} and .ingest.input=="spool:200.000001.P1Q1.h"' out
jqtest 'select(.id|startswith("am-00000000000000bb")) | .spool.part==2 and .spool.parts==2' out
# Claimed entries wait in cur/ for inc-store --ack; the two bad ones are in bad/.
test -z "$(ls $S/new)"
test "$(ls $S/cur | tr '\n' ' ')" = "100.000001.P1Q1.h 200.000001.P1Q1.h 250.000001.P1Q1.h 300.000001.P1Q1.h "
test "$(ls $S/bad | tr '\n' ' ')" = "400.000001.P1Q1.h 500.000001.P1Q1.h "
grep -q 'spool:400.000001.P1Q1.h: .*not JSON' err || fail "$(cat err)"
# Records without an id get one from their entry: arrival time and name.
jqtest 'select(.spool.name=="250.000001.P1Q1.h" and .spool.part==2) | (.id|test("^INC-19700101-000410-000001-[0-9A-Z]{4}\\.2$")) and .received_at=="1970-01-01T00:04:10.000001Z"' out
# A second run replays what is still in cur/: same ids, times and parts.
inc-ingest --spool $S >out2
jq -c '{id, received_at, spool}' out >a
jq -c '{id, received_at, spool}' out2 >b
cmp_expect a b
expect_code 64 inc-ingest --spool $S --id X 2>err
