#!/bin/sh
# inc-embed passes every key it does not own on unchanged, a user's key added with jq between two stages included.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 'db-01 disk full' \
 'payments api returns 502 since the deploy' >text
# A user's own key, added between two stages, survives inc-embed.
inc-ingest <text | jq -c '. + {team: "db", oncall: ["ana", "bo"]}' >in
inc-embed <in >out
test "$(lines out)" -eq 2
jq -c 'del(.embedding)' out >got
cmp_expect in got
jqtest '.team == "db" and .oncall == ["ana", "bo"] and .embedding.dim == 384' out
# Every kind of value, on the bulk path, the jansson path and --format array.
printf '%s\n' \
 '{"id":"k-1","title":"disk full","x":{"deep":[1,{"y":null}],"z":"\u00e9"},"n":-1.5e3,"ok":true,"nul":null}' \
 '{"id":"k-2","kind":"kb","title":"DNS","resolution":"flush caches","severity":"HIGH","matches":[{"id":"m","score":0.5}]}' \
 '  { "id" : "k-3" , "title" : "caf\u00e9 \u2615 down", "team":"data" , "list":[ 1, 2 ] }  ' \
 '{"id":"k-4","title":"t4 slow","errors":[{"stage":"inc-ingest","error":"x","at":"2026-01-01T00:00:00Z"}],"store":{"backend":"sqlite","version":3}}' \
 >in2
jq -c -S . in2 >want
for run in "inc-embed" "env INC_BULK_PATH=0 inc-embed" "inc-embed --format array" \
	"inc-embed --dim 16 --field resolution"; do
	$run <in2 >out2
	test "$(lines out2)" -eq 4
	jq -c -S 'del(.embedding)' out2 >got2
	cmp_expect want got2
	jq -e -s 'all(.[]; .embedding.dim > 0)' out2 >/dev/null
done
# A number is written as it came on the bulk path.
inc-embed <in2 | grep -q '"n":-1.5e3,'
# The pipe as a whole keeps the user's key to the end.
inc-ingest <text | jq -c '. + {team: "db"}' | inc-embed | inc-store --db "sqlite:$PWD/t.db" >stored
jqtest '.team == "db" and .store.version == 1 and .embedding.dim == 384' stored
