#!/bin/sh
# inc-jira writes each record, its issue made, as soon as its input goes quiet, without waiting for more input or for the end of it.
. "${0%/*}/../testlib.sh"
unset JIRA_ISSUE_TYPE INC_JIRA_API INC_JIRA_PRIORITY_MAP INC_JIRA_MIN_SEVERITY \
	INC_JIRA_CONCURRENCY INC_JIRA_ATTEMPTS INC_JIRA_TIMEOUT_MS \
	INC_JIRA_FALLBACK_ISSUE_TYPE 2>/dev/null || true
start_jira jira
mkfifo fifo
inc-jira -q >out 2>err <fifo &
pid=$!
when_finished "kill $pid 2>/dev/null"
exec 3>fifo
for rec in '{"id":"I-1","title":"a","severity":"HIGH"}' \
	'{"id":"kb-1","kind":"kb","title":"doc"}' \
	'{"id":"I-1","title":"a","severity":"HIGH","status":"acknowledged","acknowledged_by":"eve"}'; do
	want=$(($(lines out) + 1))
	echo "$rec" >&3
	i=0
	while [ "$(lines out)" -lt $want ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	test "$(lines out)" -eq $want || fail "no answer to $rec within 5 s"
done
jq -e -s '.[0].jira.key == "OPS-1" and .[1].jira == null and
	.[2].jira == {"key": "OPS-1", "id": "10000", "url": (env.JIRA_URL + "/browse/OPS-1"),
	"status": "acknowledged"}' out >/dev/null || fail "$(cat out)"
exec 3>&-
wait $pid
must_be_empty err
# One issue and one comment; the third record reused the issue of the first.
test "$(jq -c -s 'map([.method, (.path | sub("\\?.*"; ""))])' jira.log)" = \
	'[["GET","/rest/api/3/search/jql"],["POST","/rest/api/2/issue"],["GET","/rest/api/2/issue/OPS-1/comment"],["POST","/rest/api/2/issue/OPS-1/comment"]]' ||
	fail "$(jq -c '[.method, .path]' jira.log)"
