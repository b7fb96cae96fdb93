"""What the stand-in API servers in tests/stub share: a threaded HTTP/1.1
server on 127.0.0.1 that logs every request as a JSON line (written before
the answer goes out, so a client holding its answer can read the log),
prints its port on the first line of stdout, and ends with the test that
started it (its parent) or after --lifetime seconds."""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps connections open, as the real servers do.
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def read_request(self, **extra):
        """The request as a log record: number, method, path, headers,
        body (parsed JSON, else text), start time, plus extra keys."""
        start = time.time()
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        text = raw.decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        rec = {"n": self.server.next_number(), "method": self.command,
               "path": self.path, "headers": dict(self.headers.items()),
               "body": body if body is not None else text}
        rec.update(extra)
        rec["start"] = start
        return rec, body

    def answer(self, rec, code, body, headers=()):
        data = json.dumps(body).encode()
        rec["status"] = code
        rec["answer"] = body
        rec["end"] = time.time()
        self.server.record(rec)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True
    # Sixteen clients connecting at once must not wait for a SYN retry.
    request_queue_size = 128

    def __init__(self, opts, handler):
        super().__init__(("127.0.0.1", opts.port), handler)
        self.opts = opts
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.count = 0
        self.log = open(opts.log, "a", encoding="utf-8")

    def next_number(self):
        with self.lock:
            self.count += 1
            return self.count

    def record(self, rec):
        with self.lock:
            self.log.write(json.dumps(rec) + "\n")
            self.log.flush()

    def handle_error(self, request, client_address):
        # A client that hung up is not the server's failure.
        pass


def serve(srv):
    """Print the port, serve, and end with the parent or the lifetime."""
    print(srv.server_address[1], flush=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    parent = os.getppid()
    end = time.time() + srv.opts.lifetime
    while time.time() < end and os.getppid() == parent:
        time.sleep(0.2)
    srv.stop.set()
    sys.exit(0)
