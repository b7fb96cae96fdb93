#!/usr/bin/python3
"""A stand-in OpenAI-compatible embeddings server for tests/cli/embed-*.sh.

It answers POST /v1/embeddings (and /embeddings, as LocalAI also does) the
way protocols.md §5 describes: "input" is a string, an array of strings, an
array of token ids or an array of such arrays; the answer is

    {"object": "list",
     "data": [{"object": "embedding", "embedding": [...], "index": i}, ...],
     "model": "...", "usage": {"prompt_tokens": N, "total_tokens": N}}

with one vector per input, in input order unless --reverse.  A vector is a
function of its text alone (see vector() below, which tests may import), so
a test can tell which input a vector belongs to.  "dimensions" and
"encoding_format": "base64" are honoured as OpenAI does.  A missing or bad
"input", or an empty string in it, is a 400 with OpenAI's error shape.

Listens on 127.0.0.1, on --port (default 0: any free port), and prints the
port on the first line of stdout.  Every request is appended to --log FILE
as one JSON line, written before the answer is sent:

    {"n": 1, "method": "POST", "path": "/v1/embeddings",
     "headers": {...}, "body": <the JSON body, or the raw text>,
     "inputs": <the input as a list, or null>, "status": 200,
     "answer": <the JSON answered>, "start": <seconds>, "end": <seconds>}

"start" is when the request arrived, "end" when its answer was ready
(after any --delay), both in seconds since the epoch.

Modes:
    --dim N             length of the vectors (default 8)
    --reverse           data[] in reverse order, each index still right
    --rate-limit N      the first N requests get 429 with Retry-After
    --retry-after S     the Retry-After value for --rate-limit (default 1)
    --fail-500          every request gets 500
    --tei-424           every request gets 424 {"message", "type": "backend"},
                        as text-embeddings-inference does for a model that
                        is not an embedding model
    --delay MS[,MS...]  sleep before answering: the i-th request to arrive
                        sleeps the i-th value, the last one repeating; with
                        decreasing values, requests in flight together
                        finish in reverse order

It exits on SIGTERM, when the process that started it goes away, or after
--lifetime seconds (default 120), so it never outlives its test.
"""
import argparse
import base64
import hashlib
import json
import os
import struct
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402


def vector(text, dim):
    """The vector of text: dim values in [-1, 1) from SHA-256, not unit."""
    if not isinstance(text, str):
        text = json.dumps(text, separators=(",", ":"))
    out = []
    for i in range(dim):
        d = hashlib.sha256(("%d:%s" % (i, text)).encode()).digest()
        out.append(struct.unpack("<i", d[:4])[0] / 2147483648.0)
    return out


def inputs_of(body):
    """The inputs of a request as a list, or a reason why it is bad."""
    if not isinstance(body, dict):
        return None, "the body is not a JSON object"
    if "input" not in body:
        return None, "'input' is a required property"
    inp = body["input"]
    if isinstance(inp, str):
        inp = [inp]
    elif isinstance(inp, list) and inp and all(
            isinstance(x, int) for x in inp):
        inp = [inp]             # one text as token ids
    if not isinstance(inp, list) or not inp:
        return None, "'input' must be a string or a non-empty array"
    for x in inp:
        ok = isinstance(x, str) or (isinstance(x, list) and x and all(
            isinstance(t, int) for t in x))
        if not ok:
            return None, "'input' holds something other than text or tokens"
        if x == "":
            return None, "'$.input' is invalid: an input is empty"
    return inp, None


class Handler(RecordingHandler):
    def handle_any(self):
        srv = self.server
        rec, body = self.read_request(inputs=None)
        n = rec["n"]
        delays = srv.opts.delay
        if delays:
            time.sleep(delays[min(n, len(delays)) - 1] / 1000.0)

        if self.path not in ("/v1/embeddings", "/embeddings"):
            return self.answer(rec, 404, {"error": {
                "message": "Unknown request URL: %s %s" % (
                    self.command, self.path),
                "type": "invalid_request_error", "code": "unknown_url"}})
        if self.command != "POST":
            return self.answer(rec, 405, {"error": {
                "message": "Method not allowed",
                "type": "invalid_request_error"}})
        inp, why = inputs_of(body)
        rec["inputs"] = inp
        if why:
            return self.answer(rec, 400, {"error": {
                "message": why, "type": "invalid_request_error",
                "param": "input", "code": None}})
        if n <= srv.opts.rate_limit:
            return self.answer(rec, 429, {"error": {
                "message": "Rate limit reached for requests",
                "type": "requests", "code": "rate_limit_exceeded"}},
                [("Retry-After", srv.opts.retry_after)])
        if srv.opts.fail_500:
            return self.answer(rec, 500, {"error": {
                "message": "The server had an error while processing "
                           "your request.", "type": "server_error"}})
        if srv.opts.tei_424:
            return self.answer(rec, 424, {
                "message": "Model is not an embedding model",
                "type": "backend"})

        dim = body.get("dimensions", srv.opts.dim)
        if not isinstance(dim, int) or dim < 1:
            return self.answer(rec, 400, {"error": {
                "message": "'dimensions' must be a positive integer",
                "type": "invalid_request_error", "param": "dimensions"}})
        b64 = body.get("encoding_format") == "base64"
        data = []
        tokens = 0
        for i, x in enumerate(inp):
            v = vector(x, dim)
            if b64:
                v = base64.b64encode(struct.pack("<%df" % dim, *v)).decode()
            data.append({"object": "embedding", "embedding": v, "index": i})
            tokens += len(x.split()) if isinstance(x, str) else len(x)
        if srv.opts.reverse:
            data.reverse()
        return self.answer(rec, 200, {
            "object": "list", "data": data,
            "model": body.get("model") or "stub-embedding-model",
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser(description="OpenAI-compatible embeddings "
                                "stand-in (protocols.md §5)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--dim", type=int, default=8)
    p.add_argument("--reverse", action="store_true")
    p.add_argument("--rate-limit", type=int, default=0, metavar="N")
    p.add_argument("--retry-after", default="1")
    p.add_argument("--fail-500", action="store_true")
    p.add_argument("--tei-424", action="store_true")
    p.add_argument("--delay", default="",
                   type=lambda s: [int(x) for x in s.split(",") if x])
    p.add_argument("--lifetime", type=float, default=120)
    opts = p.parse_args()

    serve(RecordingServer(opts, Handler))


if __name__ == "__main__":
    main()
