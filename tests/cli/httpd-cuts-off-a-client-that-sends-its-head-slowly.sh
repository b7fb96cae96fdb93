#!/bin/sh
# A client sending its request head a byte at a time is cut off after INC_HTTP_HEAD_TIMEOUT, while other requests are served meanwhile.
. "${0%/*}/../testlib.sh"
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
