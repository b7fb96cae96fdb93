#!/usr/bin/python3
"""A stand-in Twilio REST API (2010-04-01) for tests/cli/call-*.sh and
httpd-twilio-*.sh, answering as protocols.md §3.1 and §8 describe.

    POST /2010-04-01/Accounts/{AccountSid}/Calls.json
        form body (application/x-www-form-urlencoded), HTTP Basic auth
        AccountSid:AuthToken.  201 with a Call resource: "sid" is "CA" and
        32 hex digits (the MD5 of the request number, so a test can tell
        calls apart), "status": "queued", "direction": "outbound-api".
    GET /2010-04-01/Accounts/{AccountSid}.json
        200 with the Account resource when the credentials are right.

Errors, with Twilio's JSON error body {code, message, more_info, status}:
    401 code 20003 "Authenticate"   Basic auth missing, its user not the
                                    AccountSid of the path, or its password
                                    not --token
    400 code 21201                  no To
    400 code 21213                  no From (the code is UNCONFIRMED, §8)
    400 code 21205                  both Url and Twiml, or neither
    400 code 21211                  To not E.164, or one of --invalid
    415                             a body that is not a form
    429 code 20429                  the first --rate-limit N creates
    404                             any other path

Modes:
    --token T          the auth token expected (default "test-token")
    --invalid NUMBER   answer 21211 for this To (repeatable)
    --rate-limit N     the first N creates get 429 (never processed)
    --retry-after S    send Retry-After: S with those 429s
    --status N         every create gets N (a 500, say) with an error body
    --delay MS         wait MS milliseconds before answering a create
    --drop             read each create, log it, then close the connection
                       without answering: the client cannot know whether
                       the call was made

Every request is logged to --log as one JSON line before it is answered:
{n, method, path, headers, body (the raw text), form ({name: [values]}),
user (Basic auth user), password, status, answer, start, end}.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import sys
import time
from urllib.parse import parse_qs
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402

E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


def error(code, message, status):
    return {"code": code, "message": message,
            "more_info": "https://www.twilio.com/docs/errors/%d" % code,
            "status": status}


class Handler(RecordingHandler):
    def handle_any(self):
        o = self.server.opts
        rec, _ = self.read_request()
        body = rec["body"] if isinstance(rec["body"], str) else \
            json.dumps(rec["body"])
        rec["body"] = body
        ctype = (self.headers.get("Content-Type") or "").split(";")[0]
        form = parse_qs(body, keep_blank_values=True) \
            if ctype == "application/x-www-form-urlencoded" else {}
        rec["form"] = form
        user = password = None
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(
                    auth[6:]).decode().partition(":")
            except ValueError:
                pass
        rec["user"], rec["password"] = user, password
        path = self.path.split("?")[0]
        m = re.match(r"^/2010-04-01/Accounts/([^/]+?)(/Calls)?\.json$",
                     path)
        if not m:
            return self.answer(rec, 404, {
                "code": 20404, "message": "The requested resource %s was "
                "not found" % path, "more_info":
                "https://www.twilio.com/docs/errors/20404", "status": 404})
        sid, calls = m.group(1), m.group(2)
        if user != sid or password != o.token or not sid.startswith("AC"):
            return self.answer(rec, 401, error(20003, "Authenticate", 401))
        if not calls:
            if self.command != "GET":
                return self.answer(rec, 405, error(20004, "Method not "
                                                   "allowed", 405))
            return self.answer(rec, 200, {
                "sid": sid, "friendly_name": "inc tests",
                "status": "active", "type": "Full"})
        if self.command != "POST":
            return self.answer(rec, 405, error(20004, "Method not allowed",
                                               405))
        if ctype != "application/x-www-form-urlencoded":
            return self.answer(rec, 415, error(20415, "Unsupported Media "
                                               "Type", 415))
        with self.server.lock:
            self.server.creates += 1
            k = self.server.creates
        if o.delay:
            time.sleep(o.delay / 1000.0)
        if o.drop:
            rec["status"] = None
            rec["end"] = time.time()
            self.server.record(rec)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if k <= o.rate_limit:
            hdrs = [("Retry-After", o.retry_after)] if o.retry_after else []
            return self.answer(rec, 429, error(20429, "Too Many Requests",
                                               429), hdrs)
        if o.status:
            return self.answer(rec, o.status, error(
                20500, "Internal Server Error", o.status))
        to = form.get("To", [None])[0]
        frm = form.get("From", [None])[0]
        if not to:
            return self.answer(rec, 400, error(
                21201, "No called number is specified", 400))
        if not frm:
            return self.answer(rec, 400, error(
                21213, "No 'From' number is specified", 400))
        if ("Url" in form) == ("Twiml" in form):
            return self.answer(rec, 400, error(
                21205, "Twiml and url parameters are mutually exclusive"
                if "Url" in form else "Url or Twiml is required", 400))
        if not E164.match(to) or to in o.invalid:
            return self.answer(rec, 400, error(
                21211, "The 'To' number %s is not a valid phone number."
                % to, 400))
        call = "CA" + hashlib.md5(str(rec["n"]).encode()).hexdigest()
        now = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime())
        return self.answer(rec, 201, {
            "sid": call, "account_sid": sid, "to": to, "to_formatted": to,
            "from": frm, "from_formatted": frm, "status": "queued",
            "direction": "outbound-api", "api_version": "2010-04-01",
            "date_created": now, "date_updated": now, "start_time": None,
            "end_time": None, "duration": None, "price": None,
            "price_unit": "USD", "parent_call_sid": None,
            "phone_number_sid": None, "answered_by": None,
            "caller_name": None, "forwarded_from": None, "group_sid": None,
            "annotation": None,
            "uri": "/2010-04-01/Accounts/%s/Calls/%s.json" % (sid, call),
            "subresource_uris": {}})

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


class Server(RecordingServer):
    def __init__(self, opts, handler):
        super().__init__(opts, handler)
        self.creates = 0


def main():
    p = argparse.ArgumentParser(description="Twilio REST stand-in "
                                "(protocols.md §3, §8)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--token", default="test-token")
    p.add_argument("--invalid", action="append", default=[])
    p.add_argument("--rate-limit", type=int, default=0, metavar="N")
    p.add_argument("--retry-after", default="")
    p.add_argument("--status", type=int, default=0, metavar="N")
    p.add_argument("--delay", type=int, default=0, metavar="MS")
    p.add_argument("--drop", action="store_true")
    p.add_argument("--lifetime", type=float, default=120)
    opts = p.parse_args()
    serve(Server(opts, Handler))


if __name__ == "__main__":
    main()
