#!/bin/sh
# inc-ingest makes one incident per non-empty line of text, or one per input with --whole, and applies -t -s --title -m --id.
. "${0%/*}/../testlib.sh"
printf 'db-01 disk full\n\n   \nweb-02 returns 502\r\n' | inc-ingest -t DISK -s oncall -m team=db -m region=eu >out
test "$(lines out)" -eq 2
jqtest 'select(.description=="web-02 returns 502") | .type=="DISK" and .source=="oncall" and .metadata=={"team":"db","region":"eu"} and .ingest.format=="text"' out
printf 'line one\nline two\n\n' >note.txt
inc-ingest --whole --title "Two lines" --id INC-W note.txt >out
test "$(lines out)" -eq 1
jqtest '.id=="INC-W" and .title=="Two lines" and .description=="line one\nline two"' out
# One --id for many records: the first keeps it, the next are numbered.
printf 'a\nb\nc\n' | inc-ingest --id INC-X >out
test "$(jq -r .id out | tr '\n' ' ')" = "INC-X INC-X.2 INC-X.3 "
# Flags override what the sender wrote.
echo '{"type":"OLD","description":"d"}' | inc-ingest -t NEW >out
jqtest '.type=="NEW"' out
# Usage mistakes exit 64 with the usage.
expect_code 64 inc-ingest -m novalue </dev/null 2>err
grep -q '^inc-ingest: -m: expected key=value: novalue$' err
grep -q '^usage: inc-ingest' err
expect_code 64 inc-ingest --id 'bad id' </dev/null 2>err
expect_code 64 inc-ingest --follow </dev/null 2>err
inc-ingest -h >out
grep -q '^usage: inc-ingest' out
inc-ingest -V | grep -q '^inc-ingest [0-9]'
