#!/bin/sh
# Under systemd-socket-activate, inc-httpd serves on the socket it is given and refuses more than one.
. "${0%/*}/../testlib.sh"
command -v systemd-socket-activate >/dev/null ||
	skip "systemd-socket-activate is missing: socket activation not tested"
port=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
systemd-socket-activate -l 127.0.0.1:$port inc-httpd -l 127.0.0.1:1 2>err &
pid=$!
when_finished "kill $pid 2>/dev/null"
URL=http://127.0.0.1:$port
i=0
until test "$(req GET /api/health)" = 200; do
	[ $i -lt 50 ] || { cat err >&2; fail "no answer on the systemd socket"; }
	sleep 0.1; i=$((i + 1))
done
test "$(post /api/v1/incidents '{"description":"via systemd"}')" = 202
grep -q "listening on 127.0.0.1:$port" err
kill $pid
wait $pid || true
# Two sockets for one server: refused, with the reason.
port2=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
systemd-socket-activate -l 127.0.0.1:$port -l 127.0.0.1:$port2 inc-httpd 2>err2 &
pid=$!
when_finished "kill $pid 2>/dev/null"
sleep 0.3
curl -s -m 2 "http://127.0.0.1:$port/api/health" >/dev/null || true
i=0
until grep -q 'takes exactly one' err2; do
	[ $i -lt 50 ] || { cat err2 >&2; fail "two sockets were not refused"; }
	sleep 0.1; i=$((i + 1))
done
