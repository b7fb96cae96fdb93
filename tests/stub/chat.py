#!/usr/bin/python3
"""A stand-in OpenAI-compatible chat server (Groq, OpenAI) for
tests/cli/classify-*.sh and bench/severity.

It answers POST .../chat/completions (any base path: /openai/v1 as Groq's,
/v1 as OpenAI's) the way protocols.md §4 describes:

    {"id": "chatcmpl-stub-N", "object": "chat.completion", "created": T,
     "model": <the request's model>,
     "choices": [{"index": 0, "message": {"role": "assistant",
                  "content": "<a JSON string>"}, "finish_reason": "stop"}],
     "usage": {"prompt_tokens": P, "completion_tokens": C,
               "total_tokens": P + C}}

The classification in "content" is a function of the request alone (see
classify() below, which tests may import): the text of the user message,
lower-cased, decides the severity,

    contains "outage"      HIGH    0.9
    contains "cosmetic"    LOW     0.8
    otherwise              MEDIUM  0.6

"summary" is "stub: SEVERITY" followed by the first [[tag]] of the user
message when there is one, so that a test can tell which record an answer
belongs to; "suggestions" are two fixed steps.  P is the number of
whitespace-separated words in all the messages' contents, C the length of
"content" divided by 4, rounded down, so both are known from the log.

A request without "Authorization: Bearer <something>" gets 401 as OpenAI
and Groq answer it; one whose body is not a JSON object with "model" and
a list of "messages" each with a string "role" and "content" gets 400;
another path than .../chat/completions gets 404; another method 405.

Listens on 127.0.0.1, on --port (default 0: any free port), and prints the
port on the first line of stdout.  Every request is appended to --log FILE
as one JSON line, written before the answer is sent:

    {"n": 1, "method": "POST", "path": "/openai/v1/chat/completions",
     "headers": {...}, "body": <the JSON body, or the raw text>,
     "status": 200, "answer": <the JSON answered>, "content": <the
     classification in the content, parsed, or the prose>,
     "start": <seconds>, "end": <seconds>}

"start" is when the request arrived, "end" when its answer was ready
(after any --delay), both in seconds since the epoch.  With --hang the
request is logged when it arrives, with "status": null, and never
answered.

Modes:
    --bad-schema[=WHAT] the content is JSON but outside the schema; WHAT
                        is what is wrong: severity (the default: "CRITICAL"),
                        confidence (1.5), confidence-string ("0.9"),
                        summary (left out), suggestions (one is a number)
    --not-json          the content is prose, not JSON
    --status N          every request gets N with an error body as in
                        protocols.md §4.4 ({"error": {message, type, code}})
    --times K           --bad-schema, --not-json and --status apply only to
                        the first K requests; later ones are answered well
    --rate-limit N      the first N requests get 429 with retry-after and
                        the x-ratelimit-* headers of §4.4
    --retry-after S     the retry-after value for --rate-limit (default 1)
    --delay MS[,MS...]  sleep before answering: the i-th request to arrive
                        sleeps the i-th value, the last one repeating
    --hang              never answer (until the stand-in exits)

It exits on SIGTERM, when the process that started it goes away, or after
--lifetime seconds (default 120), so it never outlives its test.
"""
import argparse
import json
import os
import re
import sys
import time
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402

SUGGESTIONS = ["Check the stand-in's first step", "Then its second step"]


def user_text(body):
    """The contents of the request's user messages, joined by newlines."""
    return "\n".join(m.get("content", "") for m in body.get("messages", [])
                     if isinstance(m, dict) and m.get("role") == "user"
                     and isinstance(m.get("content"), str))


def classify(body):
    """The classification the stand-in answers to a request body."""
    text = user_text(body)
    low = text.lower()
    if "outage" in low:
        sev, conf = "HIGH", 0.9
    elif "cosmetic" in low:
        sev, conf = "LOW", 0.8
    else:
        sev, conf = "MEDIUM", 0.6
    tag = re.search(r"\[\[[^\]]*\]\]", text)
    summary = "stub: " + sev + (" " + tag.group(0) if tag else "")
    return {"severity": sev, "confidence": conf, "summary": summary,
            "suggestions": list(SUGGESTIONS)}


def spoil(cls, what):
    """Put cls outside the schema the way --bad-schema=WHAT says."""
    if what == "severity":
        cls["severity"] = "CRITICAL"
    elif what == "confidence":
        cls["confidence"] = 1.5
    elif what == "confidence-string":
        cls["confidence"] = str(cls["confidence"])
    elif what == "summary":
        del cls["summary"]
    elif what == "suggestions":
        cls["suggestions"].append(3)


def prompt_tokens(body):
    return sum(len(m["content"].split()) for m in body["messages"]
               if isinstance(m.get("content"), str))


def request_error(body):
    """Why a body is not a chat completion request, or None."""
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "'model' is a required property"
    msgs = body.get("messages")
    if not isinstance(msgs, list) or not msgs:
        return "'messages' must be a non-empty array"
    for m in msgs:
        if not isinstance(m, dict) or not isinstance(m.get("role"), str) \
                or not isinstance(m.get("content"), str):
            return "each message needs a string 'role' and 'content'"
    return None


STATUS_TEXT = {
    400: ("invalid_request_error", None, "Bad request"),
    401: ("invalid_request_error", "invalid_api_key", "Invalid API Key"),
    403: ("permission_error", None, "Forbidden"),
    404: ("invalid_request_error", "model_not_found",
          "The model does not exist or you do not have access to it."),
    413: ("invalid_request_error", None, "Request Entity Too Large"),
    422: ("invalid_request_error", None, "Unprocessable Entity"),
    429: ("tokens", "rate_limit_exceeded",
          "Rate limit reached for model in organization on tokens per "
          "minute (TPM): Limit 8000. Please try again in 1s."),
    498: ("server_error", "capacity_exceeded", "Flex Tier Capacity Exceeded"),
    500: ("internal_server_error", None, "Internal Server Error"),
    502: ("internal_server_error", None, "Bad Gateway"),
    503: ("internal_server_error", None,
          "Service Unavailable: the model is overloaded"),
}


def error_body(code):
    typ, ecode, msg = STATUS_TEXT.get(
        code, ("internal_server_error", None, "HTTP %d" % code))
    return {"error": {"message": msg, "type": typ, "code": ecode}}


class Handler(RecordingHandler):
    def handle_any(self):
        srv = self.server
        o = srv.opts
        rec, body = self.read_request(status=None, answer=None,
                                      content=None)
        n = rec["n"]
        if o.hang:
            rec["end"] = None
            srv.record(rec)
            srv.stop.wait()
            self.close_connection = True
            return
        if o.delay:
            time.sleep(o.delay[min(n, len(o.delay)) - 1] / 1000.0)

        if not self.path.split("?")[0].endswith("/chat/completions"):
            return self.answer(rec, 404, {"error": {
                "message": "Unknown request URL: %s %s" % (
                    self.command, self.path),
                "type": "invalid_request_error", "code": "unknown_url"}})
        if self.command != "POST":
            return self.answer(rec, 405, {"error": {
                "message": "Method not allowed",
                "type": "invalid_request_error"}})
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return self.answer(rec, 401, error_body(401))
        why = request_error(body)
        if why:
            return self.answer(rec, 400, {"error": {
                "message": why, "type": "invalid_request_error",
                "code": None}})
        if n <= o.rate_limit:
            return self.answer(rec, 429, error_body(429), [
                ("retry-after", o.retry_after),
                ("x-ratelimit-limit-requests", "14400"),
                ("x-ratelimit-limit-tokens", "8000"),
                ("x-ratelimit-remaining-requests", "14399"),
                ("x-ratelimit-remaining-tokens", "0"),
                ("x-ratelimit-reset-requests", "6s"),
                ("x-ratelimit-reset-tokens", "%ss" % o.retry_after)])
        faulty = o.times is None or n <= o.times
        if o.status and faulty:
            return self.answer(rec, o.status, error_body(o.status))

        cls = classify(body)
        if o.bad_schema and faulty:
            spoil(cls, o.bad_schema)
        if o.not_json and faulty:
            content = ("The incident looks %s to me. I would start by "
                       "checking the logs." % cls["severity"].lower())
            rec["content"] = content
        else:
            content = json.dumps(cls)
            rec["content"] = cls
        p = prompt_tokens(body)
        c = len(content) // 4
        return self.answer(rec, 200, {
            "id": "chatcmpl-stub-%d" % n, "object": "chat.completion",
            "created": int(rec["start"]), "model": body["model"],
            "choices": [{"index": 0, "message": {
                "role": "assistant", "content": content},
                "finish_reason": "stop"}],
            "usage": {"prompt_tokens": p, "completion_tokens": c,
                      "total_tokens": p + c}})

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser(description="OpenAI-compatible chat "
                                "stand-in (protocols.md §4)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--bad-schema", nargs="?", const="severity", default=None,
                   choices=["severity", "confidence", "confidence-string",
                            "summary", "suggestions"])
    p.add_argument("--not-json", action="store_true")
    p.add_argument("--status", type=int, default=0, metavar="N")
    p.add_argument("--times", type=int, default=None, metavar="K")
    p.add_argument("--rate-limit", type=int, default=0, metavar="N")
    p.add_argument("--retry-after", default="1")
    p.add_argument("--delay", default="",
                   type=lambda s: [int(x) for x in s.split(",") if x])
    p.add_argument("--hang", action="store_true")
    p.add_argument("--lifetime", type=float, default=120)
    opts = p.parse_args()

    serve(RecordingServer(opts, Handler))


if __name__ == "__main__":
    main()
