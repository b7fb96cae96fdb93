#!/bin/sh
# A client sending its request head a byte at a time is cut off after INC_HTTP_HEAD_TIMEOUT, while other requests are served meanwhile.
. "${0%/*}/../testlib.sh"
# start_httpd [ARGS]: inc-httpd on a free port of 127.0.0.1; sets URL
# (its stderr goes to httpd.err).
start_httpd() {
	inc-httpd -l 127.0.0.1:0 "$@" 2>httpd.err &
	when_finished "kill $! 2>/dev/null; wait $! 2>/dev/null"
	i=0
	while ! PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' httpd.err) ||
	    [ -z "$PORT" ]; do
		[ $i -lt 100 ] || { cat httpd.err >&2; fail "inc-httpd did not start"; }
		sleep 0.05; i=$((i + 1))
	done
	URL=http://127.0.0.1:$PORT
	mv httpd.err "httpd-$PORT.err"
}
# req METHOD PATH [CURL ARGS]: the status on stdout, the body in "body".
req() {
	_m=$1 _p=$2; shift 2
	curl -s -o body -w '%{http_code}' -X "$_m" "$@" "$URL$_p"
}
# post PATH JSON: POST JSON as application/json.
post() {
	req POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}
INC_HTTP_HEAD_TIMEOUT=1 start_httpd
cat >slow.py <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
head = b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
t0 = time.time()
for b in head:
    try:
        s.send(bytes([b]))
        s.settimeout(0.2)
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print("%.1f" % (time.time() - t0))
PY
$PY slow.py "$PORT" >slow &
slow=$!
when_finished "kill $slow 2>/dev/null"
sleep 0.3
# Served while the slow client dribbles.
for i in 1 2 3; do
	test "$(req GET /api/health)" = 200
done
wait $slow
secs=$(cat slow)
# 200 bytes would take 40 s: it was cut near the 1 s deadline.
$PY -c "import sys; sys.exit(0 if 0.9 <= $secs <= 4 else 1)" ||
	fail "slow client lasted $secs s"
test "$(req GET /api/health)" = 200
