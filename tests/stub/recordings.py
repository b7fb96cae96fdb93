#!/usr/bin/python3
"""A stand-in for Twilio's recording URLs (protocols.md §3.2: <Record>
posts a RecordingUrl) for tests/cli/stt-*.sh.

GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}[.wav]
answers 200 with the file --dir/{RecordingSid}.wav as audio/x-wav, or 404
with Twilio's error body when there is no such file.  With --user and
--password the request must carry HTTP Basic auth with exactly those
(AccountSid:AuthToken), else 401 {"code": 20003, "message":
"Authenticate", "more_info": ..., "status": 401}.

Listens on 127.0.0.1 (--port, default any) and prints its port first.
Each request goes to --log FILE as a JSON line (method, path, headers,
status).
"""
import argparse
import base64
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402


class Handler(RecordingHandler):
    def do_GET(self):
        rec, _ = self.read_request()
        opts = self.server.opts
        if opts.user is not None:
            want = "Basic " + base64.b64encode(
                ("%s:%s" % (opts.user, opts.password)).encode()).decode()
            if self.headers.get("Authorization") != want:
                self.answer(rec, 401, {
                    "code": 20003, "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401})
                return
        name = self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
        if name.endswith(".wav"):
            name = name[:-4]
        path = os.path.join(opts.dir, name + ".wav")
        if "/Recordings/" not in self.path or not os.path.isfile(path):
            self.answer(rec, 404, {
                "code": 20404, "message": "The requested resource %s was "
                "not found" % self.path,
                "more_info": "https://www.twilio.com/docs/errors/20404",
                "status": 404})
            return
        with open(path, "rb") as f:
            data = f.read()
        rec["status"] = 200
        rec["bytes"] = len(data)
        self.server.record(rec)
        self.send_response(200)
        self.send_header("Content-Type", "audio/x-wav")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", default="recordings.log")
    p.add_argument("--lifetime", type=float, default=600)
    p.add_argument("--dir", default=".")
    p.add_argument("--user")
    p.add_argument("--password", default="")
    opts = p.parse_args()
    serve(RecordingServer(opts, Handler))


if __name__ == "__main__":
    main()
