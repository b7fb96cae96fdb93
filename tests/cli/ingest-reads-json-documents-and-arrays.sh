#!/bin/sh
# inc-ingest reads a pretty-printed object and a JSON array of incidents as well as JSON lines.
. "${0%/*}/../testlib.sh"
cat >doc.json <<'J'
{
  "id": "INC-DOC",
  "description": "pretty printed",
  "metadata": {"a": 1}
}
J
printf '[{"id":"A1","description":"one"},\n {"id":"A2","description":"two"}]\n' >arr.json
inc-ingest doc.json arr.json >out
test "$(jq -r .id out | tr '\n' ' ')" = "INC-DOC A1 A2 "
# A broken document is rejected with its line, and nothing is passed on.
printf '{\n  "description": "x",\n  oops\n}\n' >bad.json
expect_code 65 inc-ingest bad.json >out 2>err
must_be_empty out
grep -q '^inc-ingest: bad.json: line 3: not JSON' err || fail "$(cat err)"
