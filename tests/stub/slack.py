#!/usr/bin/python3
"""A stand-in Slack Web API (protocols.md §1 and §8) for
tests/cli/slack-*.sh, tests/cli/pipeline-*.sh and bench/slack-jira.

It serves POST /api/<method> (any prefix before the method name) for
auth.test, conversations.create, conversations.list, conversations.invite,
conversations.history, chat.postMessage and chat.update, over a workspace
held in memory for as long as it runs, so that a second pass of a client
meets what the first made.  As Slack does:

- every API error is HTTP 200 with {"ok": false, "error": CODE};
- the token must come as "Authorization: Bearer xoxb-..." (else
  invalid_auth);
- a POST without Content-Type is missing_post_type; a body must be
  application/json (the write methods) or x-www-form-urlencoded (any
  method; conversations.list and conversations.history take only forms:
  JSON there is invalid_arguments);
- channel names follow ^[a-z0-9_-]{1,80}$: upper case is
  invalid_name_specials, over 80 invalid_name_maxlength, only
  punctuation invalid_name_punctuation, empty no_channel; a name in use,
  archived or not, is name_taken;
- inviting a member again is already_in_channel;
- conversations.list pages with response_metadata.next_cursor ("" on the
  last page); conversations.history lists top-level messages newest first,
  with their metadata only when include_all_metadata is true;
- chat.postMessage needs text or blocks (no_text) and a known channel, by
  id or name (channel_not_found); chat.update a known ts
  (message_not_found).

Each request is one JSON line in --log, written before the answer goes
out: {n, method, path, headers, body, form, api, status, answer, start,
end}, where api is the method name, body the JSON body (or the raw text),
form the decoded fields of a form body (or null).  GET /_state answers the
whole workspace: {"channels": [{id, name, is_archived, members,
messages: [{ts, text, blocks, metadata, thread_ts, edits}]}]}.

Options:
    --existing NAME      a channel that exists before the test (repeatable)
    --archived NAME      the same, archived
    --filler N           N other channels, so that a lookup pages
    --page-size N        at most N channels or messages a page (default 100)
    --rate-limit N       the first N API requests get 429, Retry-After
    --retry-after S      (default 1) and {"ok":false,"error":"ratelimited"}
    --rate-limit-method M  only requests for method M count for --rate-limit
    --fail METHOD=CODE   answer METHOD with ok:false CODE (repeatable)
    --lose METHOD=N      carry out the first N requests for METHOD, then
                         answer them 500 {"ok":false,"error":"internal_error"},
                         as when an answer is lost on its way (repeatable)
    --delay MS           sleep MS milliseconds before each answer
    --lifetime S         exit after S seconds (default 120)
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
import time
import urllib.parse
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402

NAME_RE = re.compile(r"^[a-z0-9_-]{1,80}$")
READ_METHODS = ("conversations.list", "conversations.history")
BOT = "U0INCBOT"


class Workspace:
    def __init__(self, opts):
        self.lock = threading.Lock()
        self.channels = []      # in creation order
        self.seq = 0
        self.ts = 0
        for i in range(opts.filler):
            self.add("filler-%04d" % i)
        for n in opts.existing:
            self.add(n)
        for n in opts.archived:
            self.add(n)["is_archived"] = True

    def add(self, name):
        self.seq += 1
        ch = {"id": "C%08d" % self.seq, "name": name, "is_channel": True,
              "is_archived": False, "is_private": False,
              "created": int(time.time()), "creator": BOT,
              "members": [BOT], "messages": []}
        self.channels.append(ch)
        return ch

    def find(self, ref):
        if not isinstance(ref, str):
            return None
        for ch in self.channels:
            if ch["id"] == ref or ch["name"] == ref.lstrip("#"):
                return ch
        return None

    def next_ts(self):
        self.ts += 1
        return "%d.%06d" % (int(time.time()), self.ts)


def public(ch):
    """A conversation object as Slack lists it."""
    return {k: v for k, v in ch.items() if k not in ("members", "messages")}


def page(items, args, size):
    """One page of items and the cursor of the next ("" at the end)."""
    try:
        limit = int(args.get("limit") or 100)
    except ValueError:
        return None, None, "invalid_limit"
    if limit < 1 or limit > 1000:
        return None, None, "invalid_limit"
    start = 0
    if args.get("cursor"):
        try:
            start = int(base64.b64decode(args["cursor"]).decode()
                        .split(":")[1])
        except (ValueError, IndexError):
            return None, None, "invalid_cursor"
    n = min(limit, size)
    rest = items[start + n:]
    cursor = base64.b64encode(("next:%d" % (start + n)).encode()).decode() \
        if rest else ""
    return items[start:start + n], cursor, None


def truthy(v):
    return v is True or v in ("true", "1", 1)


class Handler(RecordingHandler):
    def handle_any(self):
        srv = self.server
        o = srv.opts
        rec, body = self.read_request(api=None, form=None)
        path = self.path.split("?")[0]
        if self.command == "GET" and path == "/_state":
            with srv.ws.lock:
                state = {"channels": srv.ws.channels}
                return self.answer(rec, 200, json.loads(json.dumps(state)))
        api = path.rsplit("/", 1)[-1]
        rec["api"] = api
        ctype = (self.headers.get("Content-Type") or "").lower()
        raw = rec["body"] if isinstance(rec["body"], str) else None
        args = {}
        if ctype.startswith("application/x-www-form-urlencoded"):
            text = raw if raw is not None else json.dumps(rec["body"])
            args = dict(urllib.parse.parse_qsl(text, keep_blank_values=True))
            rec["form"] = args
            rec["body"] = text
        elif ctype.startswith("application/json"):
            args = body if isinstance(body, dict) else None
        if o.delay:
            time.sleep(o.delay / 1000.0)
        if self.command != "POST":
            return self.answer(rec, 405, {"ok": False,
                                          "error": "method_not_allowed"})
        counts = not o.rate_limit_method or o.rate_limit_method == api
        if counts:
            with srv.lock:
                srv.limited += 1
                limited = srv.limited <= o.rate_limit
            if limited:
                return self.answer(rec, 429, {"ok": False,
                                              "error": "ratelimited"},
                                   [("Retry-After", o.retry_after)])
        auth = self.headers.get("Authorization") or ""
        if not auth.startswith("Bearer xoxb-"):
            return self.answer(rec, 200, {"ok": False,
                                          "error": "invalid_auth"})
        if not ctype:
            return self.answer(rec, 200, {"ok": False,
                                          "error": "missing_post_type"})
        if args is None:
            return self.answer(rec, 200, {"ok": False,
                                          "error": "invalid_form_data"})
        if api in READ_METHODS and rec["form"] is None:
            return self.answer(rec, 200, {"ok": False,
                                          "error": "invalid_arguments"})
        if api in o.fail:
            return self.answer(rec, 200, {"ok": False, "error": o.fail[api]})
        fn = getattr(self, "api_" + api.replace(".", "_"), None)
        if fn is None:
            return self.answer(rec, 200, {"ok": False,
                                          "error": "unknown_method"})
        with srv.ws.lock:
            res = fn(srv.ws, args)
            lose = srv.lost.get(api, 0) < o.lose.get(api, 0)
            if lose:
                srv.lost[api] = srv.lost.get(api, 0) + 1
        if lose:
            rec["lost"] = res
            return self.answer(rec, 500, {"ok": False,
                                          "error": "internal_error"})
        return self.answer(rec, 200, res)

    do_GET = do_POST = do_PUT = handle_any

    def api_auth_test(self, ws, a):
        return {"ok": True, "url": "https://stub.slack.com/", "team": "Stub",
                "user": "incbot", "team_id": "T0STUB", "user_id": BOT,
                "bot_id": "B0INCBOT"}

    def api_conversations_create(self, ws, a):
        name = a.get("name")
        if not isinstance(name, str) or name == "":
            return {"ok": False, "error": "no_channel"}
        if len(name) > 80:
            return {"ok": False, "error": "invalid_name_maxlength"}
        if re.fullmatch(r"[\W_]+", name):
            return {"ok": False, "error": "invalid_name_punctuation"}
        if not NAME_RE.match(name):
            return {"ok": False, "error": "invalid_name_specials"}
        if any(c["name"] == name for c in ws.channels):
            return {"ok": False, "error": "name_taken"}
        ch = ws.add(name)
        ch["is_private"] = truthy(a.get("is_private"))
        return {"ok": True, "channel": public(ch)}

    def api_conversations_list(self, ws, a):
        types = (a.get("types") or "public_channel").split(",")
        chans = [public(c) for c in ws.channels
                 if (("private_channel" in types) if c["is_private"]
                     else ("public_channel" in types))
                 and not (truthy(a.get("exclude_archived"))
                          and c["is_archived"])]
        items, cursor, err = page(chans, a, self.server.opts.page_size)
        if err:
            return {"ok": False, "error": err}
        return {"ok": True, "channels": items,
                "response_metadata": {"next_cursor": cursor}}

    def api_conversations_invite(self, ws, a):
        ch = ws.find(a.get("channel"))
        if ch is None or not str(a.get("channel", "")).startswith("C"):
            return {"ok": False, "error": "channel_not_found"}
        if ch["is_archived"]:
            return {"ok": False, "error": "is_archived"}
        users = [u for u in str(a.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "invalid_arguments"}
        for u in users:
            if not re.fullmatch(r"[UW][A-Z0-9]+", u):
                return {"ok": False, "error": "user_not_found"}
        new = [u for u in users if u not in ch["members"]]
        if not new:
            return {"ok": False, "error": "already_in_channel"}
        ch["members"].extend(new)
        return {"ok": True, "channel": public(ch)}

    def api_conversations_history(self, ws, a):
        ch = ws.find(a.get("channel"))
        if ch is None or not str(a.get("channel", "")).startswith("C"):
            return {"ok": False, "error": "channel_not_found"}
        meta = truthy(a.get("include_all_metadata"))
        msgs = []
        for m in reversed(ch["messages"]):
            if m.get("thread_ts") and m["thread_ts"] != m["ts"]:
                continue
            out = {"type": "message", "user": BOT, "ts": m["ts"],
                   "text": m["text"], "blocks": m["blocks"]}
            if meta and m.get("metadata"):
                out["metadata"] = m["metadata"]
            msgs.append(out)
        items, cursor, err = page(msgs, a, self.server.opts.page_size)
        if err:
            return {"ok": False, "error": err}
        return {"ok": True, "messages": items, "has_more": bool(cursor),
                "response_metadata": {"next_cursor": cursor}}

    def message_fields(self, a):
        blocks = a.get("blocks")
        if isinstance(blocks, str):     # form-encoded: a JSON string
            try:
                blocks = json.loads(blocks)
            except ValueError:
                return None, "invalid_blocks"
        if blocks is not None and not isinstance(blocks, list):
            return None, "invalid_blocks"
        text = a.get("text")
        if not text and not blocks:
            return None, "no_text"
        if text and len(text) > 40000:
            return None, "msg_too_long"
        meta = a.get("metadata")
        if isinstance(meta, str):
            meta = json.loads(meta)
        return {"text": text or "", "blocks": blocks or [],
                "metadata": meta}, None

    def api_chat_postMessage(self, ws, a):
        ch = ws.find(a.get("channel"))
        if ch is None:
            return {"ok": False, "error": "channel_not_found"}
        if ch["is_archived"]:
            return {"ok": False, "error": "is_archived"}
        f, err = self.message_fields(a)
        if err:
            return {"ok": False, "error": err}
        ts = ws.next_ts()
        m = dict(f, ts=ts, thread_ts=a.get("thread_ts"), edits=0)
        if m["thread_ts"] and not any(x["ts"] == m["thread_ts"]
                                      for x in ch["messages"]):
            return {"ok": False, "error": "thread_not_found"}
        ch["messages"].append(m)
        return {"ok": True, "channel": ch["id"], "ts": ts,
                "message": {"type": "message", "subtype": "bot_message",
                            "text": m["text"], "ts": ts,
                            "bot_id": "B0INCBOT"}}

    def api_chat_update(self, ws, a):
        ch = ws.find(a.get("channel"))
        if ch is None:
            return {"ok": False, "error": "channel_not_found"}
        for m in ch["messages"]:
            if m["ts"] == a.get("ts"):
                f, err = self.message_fields(a)
                if err:
                    return {"ok": False, "error": err}
                m["text"], m["blocks"] = f["text"], f["blocks"]
                if f["metadata"] is not None:
                    m["metadata"] = f["metadata"]
                m["edits"] += 1
                return {"ok": True, "channel": ch["id"], "ts": m["ts"],
                        "text": m["text"]}
        return {"ok": False, "error": "message_not_found"}


def main():
    p = argparse.ArgumentParser(description="Slack Web API stand-in "
                                "(protocols.md §1)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--existing", action="append", default=[])
    p.add_argument("--archived", action="append", default=[])
    p.add_argument("--filler", type=int, default=0)
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--rate-limit", type=int, default=0)
    p.add_argument("--retry-after", default="1")
    p.add_argument("--rate-limit-method", default=None)
    p.add_argument("--fail", action="append", default=[])
    p.add_argument("--lose", action="append", default=[])
    p.add_argument("--delay", type=float, default=0)
    p.add_argument("--lifetime", type=float, default=120)
    opts = p.parse_args()
    opts.fail = dict(f.split("=", 1) for f in opts.fail)
    opts.lose = {k: int(v) for k, v in (f.split("=", 1) for f in opts.lose)}
    srv = RecordingServer(opts, Handler)
    srv.ws = Workspace(opts)
    srv.limited = 0
    srv.lost = {}
    serve(srv)


if __name__ == "__main__":
    main()
