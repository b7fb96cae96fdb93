#!/usr/bin/python3
"""A stand-in Google Cloud Speech-to-Text v1 server (protocols.md §6) for
tests/cli/stt-*.sh.

POST /v1/speech:recognize with a JSON body

    {"config": {"encoding": "LINEAR16", "sampleRateHertz": 16000,
                "languageCode": "en-US"},
     "audio": {"content": "<base64>"}}

is answered 200 with

    {"results": [{"alternatives": [{"transcript": T, "confidence": C}],
                  "resultEndTime": "1.500s", "languageCode": "en-us"}],
     "totalBilledTime": "2s", "requestId": "..."}

where T is --transcript (cut into --results consecutive results, as
Google cuts long audio) and C --confidence.  Audio whose samples are all
quieter than -40 dBFS (LINEAR16) gets {"totalBilledTime": "1s"}, with no
results, as when nothing is recognised.

Auth: "?key=K" in the URL, which must equal --key when given, or
"Authorization: Bearer T"; neither gives 401 UNAUTHENTICATED, a wrong key
400 INVALID_ARGUMENT "API key not valid".  A body without config.encoding,
config.sampleRateHertz, config.languageCode, or audio.content / audio.uri,
or whose content is not base64, gets 400 INVALID_ARGUMENT; content over
10 MB, or over 60 s at the stated rate for LINEAR16, gets 400
INVALID_ARGUMENT "Sync input too long" (§8).  Errors have Google's shape:
{"error": {"code", "message", "status"}}.  Another path gets 404, another
method 405.  --status N answers every request N with such an error.

Listens on 127.0.0.1 (--port, default any) and prints its port first.  Each
request goes to --log FILE as a JSON line with method, path, headers and
body (the JSON, content included), plus what the stand-in made of the
audio: "audio_bytes", "audio_seconds" (at the stated rate, LINEAR16) and
"audio_dbfs" (the RMS level), then "status" and "answer".
"""
import argparse
import base64
import binascii
import math
import os
import struct
import sys
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
          403: "PERMISSION_DENIED", 429: "RESOURCE_EXHAUSTED",
          500: "INTERNAL", 503: "UNAVAILABLE"}


def error(code, message):
    return {"error": {"code": code, "message": message,
                      "status": STATUS.get(code, "UNKNOWN")}}


class Handler(RecordingHandler):
    def do_GET(self):
        rec, _ = self.read_request()
        self.answer(rec, 405, error(405, "method not allowed"))

    def do_POST(self):
        rec, body = self.read_request()
        opts = self.server.opts
        url = urlsplit(self.path)
        if url.path != "/v1/speech:recognize":
            self.answer(rec, 404, error(404, "not found"))
            return
        key = parse_qs(url.query).get("key", [None])[0]
        auth = self.headers.get("Authorization") or ""
        if key is None and not (auth.startswith("Bearer ") and auth[7:]):
            self.answer(rec, 401, error(
                401, "Request is missing required authentication "
                "credential."))
            return
        if key is not None and opts.key is not None and key != opts.key:
            self.answer(rec, 400, error(
                400, "API key not valid. Please pass a valid API key."))
            return
        if opts.status:
            self.answer(rec, opts.status, error(
                opts.status, "stand-in told to answer %d" % opts.status))
            return
        config = body.get("config") if isinstance(body, dict) else None
        audio = body.get("audio") if isinstance(body, dict) else None
        if not isinstance(config, dict) or not isinstance(audio, dict):
            self.answer(rec, 400, error(400, "Invalid recognition "
                                        "'config' or 'audio'."))
            return
        for k in ("encoding", "sampleRateHertz", "languageCode"):
            if k not in config:
                self.answer(rec, 400, error(400, "config.%s is "
                                            "required" % k))
                return
        if "content" not in audio and "uri" not in audio:
            self.answer(rec, 400, error(400, "RecognitionAudio not set."))
            return
        try:
            raw = base64.b64decode(audio.get("content", ""), validate=True)
        except (binascii.Error, ValueError):
            self.answer(rec, 400, error(400, "Invalid value at "
                                        "'audio.content' (TYPE_BYTES)"))
            return
        rate = config["sampleRateHertz"]
        rec["audio_bytes"] = len(raw)
        seconds = None
        if config["encoding"] == "LINEAR16" and rate:
            seconds = len(raw) / 2.0 / rate
            n = len(raw) // 2
            samples = struct.unpack("<%dh" % n, raw[:2 * n])
            ms = sum(s * s for s in samples) / n if n else 0
            rec["audio_dbfs"] = (10 * math.log10(ms / 32768.0 ** 2)
                                 if ms else -120.0)
        rec["audio_seconds"] = seconds
        if len(raw) > 10 * 1024 * 1024 or (seconds or 0) > 60:
            self.answer(rec, 400, error(
                400, "Sync input too long. For audio longer than 1 min "
                "use LongRunningRecognize with a 'uri' parameter."))
            return
        if rec.get("audio_dbfs", 0) < -40:
            self.answer(rec, 200, {"totalBilledTime": "1s"})
            return
        words = opts.transcript.split()
        k = max(1, min(opts.results, len(words)))
        results = []
        for i in range(k):
            part = words[i * len(words) // k:(i + 1) * len(words) // k]
            # Google puts a space before each later result's text.
            results.append({"alternatives": [{
                "transcript": (" " if i else "") + " ".join(part),
                "confidence": opts.confidence}],
                "resultEndTime": "%.3fs" % ((seconds or 1) * (i + 1) / k),
                "languageCode": "en-us"})
        self.answer(rec, 200, {"results": results,
                               "totalBilledTime": "%ds" % math.ceil(
                                   seconds or 1),
                               "requestId": "stub-%d" % rec["n"]})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", default="google.log")
    p.add_argument("--lifetime", type=float, default=600)
    p.add_argument("--key")
    p.add_argument("--transcript", default="the primary database is down")
    p.add_argument("--confidence", type=float, default=0.93)
    p.add_argument("--results", type=int, default=1)
    p.add_argument("--status", type=int, default=0)
    opts = p.parse_args()
    serve(RecordingServer(opts, Handler))


if __name__ == "__main__":
    main()
