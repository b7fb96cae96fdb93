#!/bin/sh
# inc-ingest's bulk path for JSON lines writes the same records as its jansson path (INC_BULK_PATH=0), user keys and numbers untouched.
. "${0%/*}/../testlib.sh"
cat >in <<'J'
{"id":"a","description":"plain","received_at":"2026-01-01T00:00:00Z"}
{"id":"b","description":"times in zones","reported_at":"2026-11-27T03:00:00+01:00","received_at":"2026-11-27T02:00:00.5-00:30"}
{"id":"c",  "description" : "spaces\tand \"escapes\" \u00e9 \ud83d\ude00", "n": 256.462, "big": 9223372036854775807, "neg": -0.0, "e": 1E-7, "received_at":"2026-01-01T00:00:00Z"}
{"id":"d","description":"nested","metadata":{"a":[1,{"b":null}],"c":true},"team":"db","received_at":"2026-01-01T00:00:00Z"}
{"id":"e","description":"\n\t ok","title":"t","type":"X","source":"s","kind":"incident","received_at":"2026-01-01T00:00:00Z"}
{"id":"f","description":"kb doc","kind":"kb","resolution":"r","severity":"HIGH","received_at":"2026-01-01T00:00:00Z"}
{"id":"g","description":"\u0020x","received_at":"2026-01-01T00:00:00Z"}
J
inc-ingest in >fast
INC_BULK_PATH=0 inc-ingest in >slow
jq -S -c . fast >a
jq -S -c . slow >b
cmp_expect b a
# Numbers a person wrote come out as written, on both paths.
grep -q '"n":256.462,' fast
grep -q '"n":256.462,' slow
test "$(lines fast)" -eq 7
# Lines without an id or received_at get generated ones on both paths.
echo '{"description":"fresh"}' | inc-ingest >f1
echo '{"description":"fresh"}' | INC_BULK_PATH=0 inc-ingest >f2
test "$(jq -c 'del(.id, .received_at)' f1)" = "$(jq -c 'del(.id, .received_at)' f2)"
