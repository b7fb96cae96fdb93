#!/bin/sh
# inc-ingest passes incident JSON lines on with an id, kind, received_at and ingest, keeping every other key.
. "${0%/*}/../testlib.sh"
cat >in <<'J'
{"id":"INC-1","type":"DATABASE","description":"Database connection timeout","source":"monitoring","metadata":{"host":"db-01"},"title":"DB timeout","team":"db"}
{"description":"no id given","x":{"nested":[1,2.5,"s"]}}
{"description":"no id either"}
J
inc-ingest in >out 2>err
must_be_empty err
test "$(lines out)" -eq 3
jqtest 'select(.id=="INC-1") | .type=="DATABASE" and .team=="db" and .metadata.host=="db-01" and .title=="DB timeout" and .kind=="incident" and .ingest.format=="json" and .ingest.input=="in"' out
# Generated ids follow INC-YYYYMMDD-HHMMSS-UUUUUU-XXXX, are unique and sort in input order.
sed -n 2,3p out | jq -r .id >ids
grep -Eq '^INC-[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9A-Z]{4}$' ids || fail "id format: $(cat ids)"
test "$(sort -u ids | wc -l)" -eq 2
sort ids | cmp -s - ids || fail "generated ids do not sort in input order"
jqtest 'select(.description=="no id given") | .x.nested == [1,2.5,"s"]' out
# received_at is RFC 3339 UTC with microseconds.
jq -r .received_at out | grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$' && fail "received_at format"
# The same from stdin, with "-" as the input name.
inc-ingest <in >out2
jqtest 'select(.id=="INC-1") | .ingest.input=="-"' out2
