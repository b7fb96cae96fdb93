#!/usr/bin/python3
"""A stand-in HTTP server for tests/unit/http-test.c (lib/http).

Listens on 127.0.0.1, on the port given as the first argument (default 0:
any free port), and prints the port on the first line of stdout.  It exits
when stdin reaches end of file, so it never outlives the test that started
it, even one that crashed.

Every request except those under /_ is recorded; GET /_requests returns
the record as a JSON array of {method, path, query, headers, body, port}
(port: the client's, to see connections reused) and POST /_reset clears
it and the counters.

    /json               200, a small JSON object
    /text               200, text/plain
    /echo               200, JSON of what was received
    /status/CODE        CODE with a JSON body; query parameters:
                          times=K      only the first K hits (per path and
                                       query), then 200 {"ok": true}
                          retry_after=V      send "Retry-After: V"
                          retry_date=S       Retry-After as an HTTP-date
                                             S seconds ahead
    /big?n=N            200, N bytes of text
    any ?delay=MS       sleep MS milliseconds before answering
"""
import email.utils
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

lock = threading.Lock()
seen = []
hits = {}


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open, so that the client can reuse them.
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, code, body, ctype="application/json", headers=()):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        rec = {
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "headers": {k: v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "port": self.client_address[1],
        }
        if url.path == "/_requests":
            with lock:
                return self.answer(200, list(seen))
        if url.path == "/_reset":
            with lock:
                seen.clear()
                hits.clear()
            return self.answer(200, {"ok": True})
        with lock:
            seen.append(rec)
            hits[self.path] = hits.get(self.path, 0) + 1
            hit = hits[self.path]
        if "delay" in q:
            time.sleep(int(q["delay"]) / 1000.0)

        if url.path == "/json":
            return self.answer(200, {"ok": True, "hello": "world", "n": 42},
                               "application/json; charset=utf-8")
        if url.path == "/text":
            return self.answer(200, b"hello", "text/plain")
        if url.path == "/echo":
            return self.answer(200, {
                "method": rec["method"], "query": rec["query"],
                "content_type": self.headers.get("Content-Type"),
                "body": rec["body"]})
        if url.path == "/big":
            return self.answer(200, b"x" * int(q.get("n", "0")), "text/plain")
        if url.path.startswith("/status/"):
            code = int(url.path.split("/")[2])
            if "times" in q and hit > int(q["times"]):
                return self.answer(200, {"ok": True, "hit": hit})
            hdrs = []
            if "retry_after" in q:
                hdrs.append(("Retry-After", q["retry_after"]))
            if "retry_date" in q:
                when = time.time() + int(q["retry_date"])
                hdrs.append(("Retry-After",
                             email.utils.formatdate(when, usegmt=True)))
            return self.answer(code, {"ok": False, "error": "status %d" % code,
                                      "hit": hit}, headers=hdrs)
        return self.answer(404, {"ok": False, "error": "not_found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (timeout, body cap) is not our failure.
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = Server(("127.0.0.1", port), Handler)
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        sys.stdin.buffer.read()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
