#!/bin/sh
# Every incident answered 202 is stored exactly once although kill -9 hits the whole pipeline, and separately inc-httpd, at random moments while reports arrive.
. "${0%/*}/../testlib.sh"
command -v setsid >/dev/null || skip "no setsid"
N=${INC_TEST_KILL_N:-1000}
spool=$INC_STATE_DIR/spool
inc-ingest -q --kb "$TOP/share/inc/kb" | inc-embed -q --fit | inc-store --kb >/dev/null

# inc-httpd, on the port it picked the first time when restarted.
PORT=0
start_httpd() {
	inc-httpd -l "127.0.0.1:$PORT" 2>>httpd.err &
	HPID=$!
	i=0
	until grep -q "listening on 127\.0\.0\.1:$PORT\$" httpd.err ||
	    { [ "$PORT" = 0 ] && grep -q 'listening on' httpd.err; }; do
		[ $i -lt 100 ] || { cat httpd.err >&2; fail "inc-httpd did not start"; }
		sleep 0.05; i=$((i + 1))
	done
	[ "$PORT" != 0 ] ||
		PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' httpd.err)
}
start_httpd
when_finished 'kill $HPID 2>/dev/null'
# The pipeline as one plain pipe in a session of its own, so that kill -9
# reaches each of its processes at once.
start_pipeline() {
	rm -f pipeline.pgid
	setsid sh -c "echo \$\$ >pipeline.pgid; exec 2>>pipeline.err; inc-ingest -q --spool '$spool' --follow | inc-embed -q |
		inc-match | inc-classify |
		inc-store -q --ack '$spool' >/dev/null" &
	i=0
	until [ -s pipeline.pgid ]; do
		[ $i -lt 100 ] || fail "the pipeline did not start"
		sleep 0.02; i=$((i + 1))
	done
	PGID=$(cat pipeline.pgid)
}
# kill_pipeline: kill -9 every process of the pipe and wait until gone.
kill_pipeline() {
	kill -9 "-$PGID" 2>/dev/null || true
	i=0
	while kill -0 "-$PGID" 2>/dev/null; do
		[ $i -lt 200 ] || fail "the pipeline outlived kill -9"
		sleep 0.02; i=$((i + 1))
	done
}
start_pipeline
when_finished 'kill -9 -$PGID 2>/dev/null'

# The client: N reports over one keep-alive connection; on a connection
# error or a 503 it reconnects and sends the same report again.  Each id
# answered 202 goes to acked, at once.
cat >client.py <<'PY'
import http.client, json, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
out = open("acked", "w", buffering=1)
conn = None
for i in range(n):
    body = json.dumps({"id": "KILL-%d" % i, "type": "DATABASE",
                       "description": "Database connection timeout %d" % i,
                       "source": "monitoring"})
    deadline = time.time() + 20
    while True:
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/api/v1/incidents", body,
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            if r.status == 202:
                out.write("KILL-%d\n" % i)
                time.sleep(0.004)  # leave the killer time to act
                break
            if r.status != 503:
                sys.exit("KILL-%d: answered %d" % (i, r.status))
        except (OSError, http.client.HTTPException):
            if conn:
                conn.close()
            conn = None
        if time.time() > deadline:
            sys.exit("KILL-%d: no 202 within 20 s" % i)
        time.sleep(0.02)
PY
: >acked
$PY client.py "$PORT" "$N" 2>client.err &
CPID=$!
when_finished "kill $CPID 2>/dev/null"

# While it posts: at random points of its progress, kill -9 the whole
# pipeline and restart it; once, kill -9 inc-httpd instead and restart it.
k=0
for at in $(awk -v n="$N" -v s="$$" 'BEGIN { srand(s)
	for (i = 0; i < 7; i++) printf "%d\n", n * (i + rand()) / 8 }'); do
	while [ "$(lines acked)" -lt "$at" ] &&
	    kill -0 "$CPID" 2>/dev/null; do
		sleep 0.01
	done
	kill -0 "$CPID" 2>/dev/null || break
	if [ $k -eq 2 ]; then
		kill -9 "$HPID"
		wait "$HPID" 2>/dev/null || true
		start_httpd
	else
		kill_pipeline
		start_pipeline
	fi
	k=$((k + 1))
done
wait "$CPID" || { cat client.err >&2; fail "the client gave up"; }
test $k -ge 4 || fail "only $k kills before the client finished"

# Stop the pipeline the hard way once more, then drain the spool.
kill_pipeline
inc-ingest -q --spool "$spool" | inc-embed -q | inc-match |
	inc-classify | inc-store -q --ack "$spool" >/dev/null
test "$(lines acked)" -eq "$N" || fail "$(lines acked) of $N answered 202"
missing=0 twice=0
while read -r id; do
	if ! inc-store get "$id" >/dev/null 2>&1; then
		[ $missing -ge 10 ] || echo "lost: $id" >&2; missing=$((missing + 1)); continue
	fi
	c=$(inc-store events "$id" | grep -c '"type":"created"' || true)
	[ "$c" -eq 1 ] || { [ $twice -ge 10 ] || echo "$id: $c created events" >&2; twice=$((twice + 1)); }
done <acked
[ $missing -eq 0 ] || fail "$missing of $N incidents answered 202 are not stored"
[ $twice -eq 0 ] || fail "$twice incidents do not have exactly one created event"
test -z "$(ls "$spool/new")" || { ls "$spool/new" >&2; fail "entries left in new/"; }
test -z "$(ls "$spool/cur")" || { ls "$spool/cur" >&2; fail "entries left in cur/"; }
