#!/bin/sh
# inc-httpd speaks HTTP/1.1 keep-alive: requests one after another reuse one connection.
. "${0%/*}/../testlib.sh"
start_httpd
curl -sv "$URL/api/health" "$URL/api/v1/incidents" "$URL/metrics" >out 2>err
test "$(grep -c 'Re-using existing connection' err)" -eq 2
grep -q '"status":"ok"' out
