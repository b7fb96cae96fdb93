#!/bin/sh
# On SIGTERM or SIGINT inc-match writes the records it has read and exits 0; when its reader goes away it exits quietly.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"sg-1","title":"disk full"}' | inc-embed >rec
for sig in TERM INT; do
	rm -f fifo out
	mkfifo fifo
	inc-match >out 2>err <fifo &
	pid=$!
	exec 3>fifo
	cat rec >&3
	i=0
	while [ ! -s out ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -$sig $pid
	set +e
	wait $pid
	rc=$?
	set -e
	exec 3>&-
	test $rc -eq 0 || fail "exit $rc after SIG$sig"
	must_be_empty err
	jqtest '.id == "sg-1" and .matches[0].id == "kb-disk-full"' out
done
# A reader that stops early: no message, no hang.
for i in $(seq 1 3000); do cat rec; done >many
set +e
inc-match <many 2>err | head -n 1 >first
set -e
must_be_empty err
jqtest '.id == "sg-1"' first
