#!/bin/sh
# inc-embed --dry-run prints every request it would send, also one whose first record has no text (it is sent as " ").
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"p-1","team":"no text"}' \
 '{"id":"p-2","title":"db-01 disk full"}' \
 '{"id":"p-3","title":"dns lookups time out"}' >in
INC_EMBED_URL=http://127.0.0.1:1/v1 inc-embed --backend openai --batch 2 --dry-run <in >out 2>err
jqtest 'select(.id=="p-1") | .errors[0].stage == "inc-embed"' out
jqtest 'select(.id=="p-2") | .embedding.dry_run == true' out
# Two requests would be sent: both are described.
test "$(lines err)" -eq 2 || fail "$(lines err) requests described: $(cat err)"
test "$(jq -c -s 'map(.body.input)' err)" = '[[" ","db-01 disk full"],["dns lookups time out"]]'
