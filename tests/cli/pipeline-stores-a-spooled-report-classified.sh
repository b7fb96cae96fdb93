#!/bin/sh
# inc-pipeline loads the seed knowledge base into an empty store, and a report that arrives in the spool is stored classified, with its matches, and its entry freed, within 5 seconds.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
inc-pipeline >out 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
i=0
while [ ! -d "$spool/new" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
test -d "$spool/new" || { cat err >&2; fail "no spool after 5 s"; }
inc-store stats >stats
jqtest '.kb.documents == 50' stats
grep -q 'loading the seed knowledge base' err

# As inc-httpd does: written to tmp/, renamed into new/.
name=1700000000.123456.P4242Q1.testhost
echo '{"id":"pl-1","description":"db-01 disk full, writes failing"}' \
	>"$spool/tmp/$name"
mv "$spool/tmp/$name" "$spool/new/$name"
i=0
while ! inc-store get pl-1 >got 2>/dev/null || [ -e "$spool/cur/$name" ]; do
	[ $i -lt 50 ] || { cat err >&2; fail "not stored and acked in 5 s"; }
	sleep 0.1; i=$((i + 1))
done
jqtest '(.severity | IN("LOW","MEDIUM","HIGH")) and
	(.classification.method | IN("rag","llm","rules")) and
	(.matches | length) > 0 and .spool.name == "'$name'"' got
test ! -e "$spool/new/$name"
test ! -e "$spool/cur/$name"
jqtest '.id == "pl-1"' out
# A second start finds the knowledge base loaded and leaves it alone.
kill -TERM $pid
wait $pid
inc-pipeline >out2 2>err2 &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
inc-store stats >stats
jqtest '.kb.documents == 50' stats
must_be_empty err2
