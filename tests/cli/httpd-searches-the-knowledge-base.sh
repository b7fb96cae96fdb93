#!/bin/sh
# inc-httpd's knowledge search embeds the query with the local model and answers the nearest knowledge-base documents, best first, as many as maxResults.
. "${0%/*}/../testlib.sh"
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null
start_httpd
test "$(req GET '/api/knowledge/search?query=disk%20full&maxResults=3')" = 200
jqtest '.query == "disk full" and (.results | length) == 3 and
	all(.results[]; (.id | type) == "string" and (.title | type) == "string"
	and (.score | type) == "number") and
	.results[0].score >= .results[1].score' body
test "$(req GET '/api/knowledge/search?query=disk%20full')" = 200
jqtest '(.results | length) == 5' body
# The same documents inc-match finds for the same text.
echo '{"description":"disk full"}' | inc-ingest | inc-embed | inc-match -k 3 >m
test "$(jq -r '.matches[0].id' m)" = "$(req GET '/api/knowledge/search?query=disk%20full&maxResults=3' >/dev/null; jq -r '.results[0].id' body)"
test "$(req GET '/api/knowledge/search?query=x&maxResults=0')" = 400
