#!/bin/sh
# inc-ingest names an unreadable or missing file, goes on with the other inputs and exits 65.
. "${0%/*}/../testlib.sh"
echo '{"id":"x","description":"readable"}' >ok.json
expect_code 65 inc-ingest missing.json ok.json >out 2>err
grep -q '^inc-ingest: missing.json: No such file or directory$' err || fail "$(cat err)"
test "$(jq -r .id out)" = x
# Binary data that is not audio is not an incident.
head -c 2000 /dev/urandom >blob.bin
printf '\177ELF' >>blob.bin
expect_code 65 inc-ingest blob.bin >out 2>err
must_be_empty out
grep -q '^inc-ingest: blob.bin: unsupported input type ' err
