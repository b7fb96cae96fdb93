#!/usr/bin/python3
"""Send a webhook to inc-httpd as Twilio would, signed as protocols.md
§3.4 says (Python's hmac, independently of lib/twilio), for
tests/cli/httpd-twilio-*.sh.

    twilio-hook.py --server SERVER [--token T] [--forge] [--unsigned]
                   [--public URL] PATH?QUERY [Name=Value ...]

POSTs the Name=Value pairs as an application/x-www-form-urlencoded body
to SERVER + PATH?QUERY.  The signature is computed over PUBLIC + PATH?QUERY
(PUBLIC defaults to $INC_PUBLIC_URL: the URL Twilio was given, not the
address the test reaches the server at) and the parameters sorted by
name, keyed with --token (default $TWILIO_AUTH_TOKEN).  --forge signs
with another token; --unsigned sends no X-Twilio-Signature.

Prints the HTTP status on stdout and writes the answer's body to ./body,
its Content-Type to ./ctype.
"""
import argparse
import base64
import hashlib
import hmac
import os
import sys
import urllib.error
import urllib.parse
import urllib.request


def signature(token, url, params):
    s = url + "".join(k + v for k, v in sorted(params))
    mac = hmac.new(token.encode(), s.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--token", default=os.environ.get("TWILIO_AUTH_TOKEN",
                                                     ""))
    p.add_argument("--public", default=os.environ.get("INC_PUBLIC_URL",
                                                      ""))
    p.add_argument("--forge", action="store_true")
    p.add_argument("--unsigned", action="store_true")
    p.add_argument("--server", required=True)
    p.add_argument("path")
    p.add_argument("params", nargs="*")
    o = p.parse_args()
    params = [tuple(x.split("=", 1)) for x in o.params]
    body = urllib.parse.urlencode(params).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               "User-Agent": "TwilioProxy/1.1"}
    if not o.unsigned:
        token = o.token + "-forged" if o.forge else o.token
        headers["X-Twilio-Signature"] = signature(
            token, o.public.rstrip("/") + o.path, params)
    req = urllib.request.Request(o.server + o.path, data=body,
                                 headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, data, ctype = r.status, r.read(), r.headers.get(
                "Content-Type", "")
    except urllib.error.HTTPError as e:
        status, data, ctype = e.code, e.read(), e.headers.get(
            "Content-Type", "")
    with open("body", "wb") as f:
        f.write(data)
    with open("ctype", "w") as f:
        f.write(ctype + "\n")
    print(status)


if __name__ == "__main__":
    sys.exit(main())
