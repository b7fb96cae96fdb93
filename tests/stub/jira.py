#!/usr/bin/python3
"""A stand-in Jira Cloud REST server for tests/cli/jira-*.sh and
bench/slack-jira, following protocols.md §2 and the checklist of §8.

Endpoints, under /rest/api/2 and /rest/api/3 alike:

    GET  .../myself                  200 {accountId, emailAddress,
                                     displayName, active}
    POST .../issue                   201 {id, key, self}; 400 with
                                     {errorMessages, errors} for bad fields
    GET  .../issue/KEY               200 {id, key, self, fields}
    GET  .../issue/KEY/comment       200 {startAt, maxResults, total,
                                     comments: [{id, body, created}]}
    POST .../issue/KEY/comment       201 {id, body, created}
    GET|POST .../search              410, the body Atlassian sends since
                                     CHANGE-2046 (§2.3)
    GET  .../search/jql              {issues, nextPageToken?, isLast}

Every request needs "Authorization: Basic base64(USER:TOKEN)" with the
--user and --token given (401 otherwise); a POST needs Content-Type
application/json (415 otherwise).

Create checks, each failure a 400 naming the field in "errors":
project {key} or {id} of --project; summary a non-empty string of at
most 255 characters without a newline; issuetype {name} among
--issue-types ("Specify a valid issue type": how the Task fallback is
exercised) or {id}; description a string for v2, an Atlassian Document
Format document for v3 (a string there is refused, §2.2: root
{type: doc, version: 1, content}, known block and inline nodes, no empty
text node); priority {name} among --priorities, or refused whole with
--no-priority-field; labels strings without whitespace; any other field
"cannot be set".  Keys are PROJECT-N from 1 (or --key-start).

The JQL search understands what inc-jira sends: clauses joined by AND,
each FIELD = VALUE (quoted or bare) for project, labels, key, then an
optional ORDER BY created ASC|DESC.  A query without a project clause is
refused as unbounded (§2.3).  Labels match without regard to case, as a
JQL search does.  Without "fields" only ids come back; with it, each
issue has id, key, self and the fields asked for.  Pages hold
min(maxResults, --page-size) issues; nextPageToken is opaque and absent
on the last page, where isLast is true.

Issues made before the test: --seed FILE, JSON lines of
{"key": ..., "fields": {...}} (key optional).

Listens on 127.0.0.1 (--port, default any free port) and prints the port
on the first line of stdout.  Each request is one JSON line in --log FILE,
written before the answer goes out:
    {"n", "method", "path", "headers", "body", "status", "answer",
     "start", "end"}

Modes:
    --rate-limit N      the first N requests get 429 (Retry-After unless
                        --retry-after none; X-RateLimit-* headers, §2.4)
    --rate-limit-path P only requests whose path contains P count for it
    --retry-after S     its value (default 1)
    --delay MS          sleep MS before each answer
    --page-size N       the largest search page (default 50)
    --lose-create N     the first N good creates make their issue, then
                        answer 502 as a gateway that lost the answer would
    --lose-comment N    the same for the first N good comments
    --fail-create N     the first N good creates make nothing and answer
                        503

It exits on SIGTERM, when the process that started it goes away, or after
--lifetime seconds (default 120).
"""
import argparse
import base64
import json
import os
import re
import sys
import threading
import time
from urllib.parse import parse_qs, urlsplit
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stubserver import RecordingHandler, RecordingServer, serve  # noqa: E402

GONE = {"errorMessages": [
    "The requested API has been removed. Please migrate to the "
    "/rest/api/3/search/jql API. A full migration guideline is available "
    "at https://developer.atlassian.com/changelog/#CHANGE-2046"],
    "errors": {}}

BLOCKS = {"paragraph", "heading", "bulletList", "orderedList", "listItem",
          "codeBlock", "rule", "blockquote"}
INLINE = {"text", "hardBreak", "mention", "emoji", "inlineCard"}
MARKS = {"strong", "em", "code", "link", "strike", "underline"}


def adf_problem(node, path="doc"):
    """Why node is not an ADF document (None when it is one)."""
    if not isinstance(node, dict):
        return "%s: not an object" % path
    if path == "doc":
        if node.get("type") != "doc" or node.get("version") != 1:
            return "the root must be {type: doc, version: 1}"
        kids = node.get("content")
        if not isinstance(kids, list):
            return "doc: content must be an array"
        for i, k in enumerate(kids):
            if not isinstance(k, dict) or k.get("type") not in BLOCKS or \
                    k.get("type") == "listItem":
                return "doc.content[%d]: not a top-level block" % i
            why = adf_problem(k, "doc.content[%d]" % i)
            if why:
                return why
        return None
    t = node.get("type")
    kids = node.get("content", [])
    if not isinstance(kids, list):
        return "%s: content must be an array" % path
    if t == "text":
        if not isinstance(node.get("text"), str) or not node["text"]:
            return "%s: a text node needs non-empty text" % path
        for m in node.get("marks", []):
            if not isinstance(m, dict) or m.get("type") not in MARKS:
                return "%s: unknown mark" % path
            if m["type"] == "link" and not isinstance(
                    (m.get("attrs") or {}).get("href"), str):
                return "%s: a link mark needs attrs.href" % path
        return None
    if t in ("hardBreak", "rule", "mention", "emoji", "inlineCard"):
        return None
    if t in ("paragraph", "heading", "codeBlock"):
        if t == "heading":
            lvl = (node.get("attrs") or {}).get("level")
            if not isinstance(lvl, int) or not 1 <= lvl <= 6:
                return "%s: a heading needs attrs.level 1..6" % path
        allowed = INLINE if t != "codeBlock" else {"text"}
    elif t in ("bulletList", "orderedList"):
        allowed = {"listItem"}
        if not kids:
            return "%s: an empty list" % path
    elif t == "listItem":
        allowed = {"paragraph", "bulletList", "orderedList", "codeBlock"}
        if not kids:
            return "%s: an empty list item" % path
    elif t == "blockquote":
        allowed = {"paragraph", "bulletList", "orderedList", "codeBlock"}
    else:
        return "%s: unknown node type %r" % (path, t)
    for i, k in enumerate(kids):
        if not isinstance(k, dict) or k.get("type") not in allowed:
            return "%s.content[%d]: %r not allowed in %s" % (
                path, i, k.get("type") if isinstance(k, dict) else k, t)
        why = adf_problem(k, "%s.content[%d]" % (path, i))
        if why:
            return why
    return None


def adf_text(node):
    """The plain text of an ADF node (for a v2 read of a v3 comment)."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return node.get("text", "")
    if node.get("type") == "hardBreak":
        return "\n"
    s = "".join(adf_text(k) for k in node.get("content", []))
    return s + ("\n" if node.get("type") in ("paragraph", "heading")
                else "")


def parse_jql(jql):
    """[(field, value)], order or raise ValueError."""
    m = re.match(r"^(.*?)(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?\s*$",
                 jql, re.I | re.S)
    where, order, direction = m.group(1), m.group(2), m.group(3)
    clauses = []
    for part in re.split(r"\s+AND\s+", where.strip(), flags=re.I):
        c = re.match(r'^(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))$',
                     part.strip())
        if not c:
            raise ValueError("Error in the JQL Query: cannot read '%s'."
                             % part.strip())
        field = c.group(1).lower()
        value = c.group(2) if c.group(2) is not None else c.group(3)
        value = re.sub(r"\\(.)", r"\1", value)
        if field not in ("project", "labels", "key"):
            raise ValueError("Field '%s' does not exist or you do not "
                             "have permission to view it." % field)
        clauses.append((field, value))
    if order and order.lower() != "created":
        raise ValueError("Not able to sort using field '%s'." % order)
    return clauses, (direction or "ASC").upper() == "DESC"


class Jira:
    """The issues and comments, shared by the handler threads."""

    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Lock()
        self.issues = []        # in creation order
        self.by_key = {}
        self.next_key = opts.key_start
        self.comment_id = 10000
        if opts.seed:
            with open(opts.seed, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        s = json.loads(line)
                        self.add(s.get("fields", {}), s.get("key"))

    def add(self, fields, key=None):
        with self.lock:
            if not key:
                key = "%s-%d" % (self.opts.project, self.next_key)
                self.next_key += 1
            issue = {"id": str(10000 + len(self.issues)), "key": key,
                     "fields": fields, "comments": [],
                     "created": time.time()}
            self.issues.append(issue)
            self.by_key[key] = issue
            return issue


def create_errors(opts, api, body):
    """The errors of a create request body, {} when it is good."""
    if not isinstance(body, dict) or not isinstance(body.get("fields"),
                                                    dict):
        return None, ["The request body must be a JSON object with "
                      "'fields'."]
    f = body["fields"]
    errs = {}
    p = f.get("project")
    if not isinstance(p, dict) or not (
            p.get("key") == opts.project or p.get("id") == "10000"):
        errs["project"] = "valid project is required"
    s = f.get("summary")
    if not isinstance(s, str) or not s.strip():
        errs["summary"] = "You must specify a summary of the issue."
    elif len(s) > 255:
        errs["summary"] = "Summary must be less than 255 characters."
    elif "\n" in s or "\r" in s:
        errs["summary"] = ("The summary is invalid because it contains "
                           "newline characters.")
    t = f.get("issuetype")
    if not isinstance(t, dict) or not (
            t.get("name") in opts.issue_types or "id" in t):
        errs["issuetype"] = "Specify a valid issue type"
    if "description" in f:
        d = f["description"]
        if api == "2" and not isinstance(d, str):
            errs["description"] = "Operation value must be a string"
        elif api == "3":
            why = adf_problem(d) if isinstance(d, dict) else "a string"
            if why:
                errs["description"] = (
                    "Operation value must be an Atlassian Document (see "
                    "the Atlassian Document Format): " + why)
    if "priority" in f:
        pr = f["priority"]
        if opts.no_priority_field:
            errs["priority"] = ("Field 'priority' cannot be set. It is not "
                                "on the appropriate screen, or unknown.")
        elif not isinstance(pr, dict) or pr.get("name") not in \
                opts.priorities:
            errs["priority"] = ("Specify the Priority (name) in the string "
                                "format")
    if "labels" in f:
        ls = f["labels"]
        if not isinstance(ls, list) or not all(isinstance(x, str)
                                               for x in ls):
            errs["labels"] = "The labels must be an array of strings."
        else:
            for x in ls:
                if not x or re.search(r"\s", x):
                    errs["labels"] = ("The label '%s' contains spaces which "
                                      "is invalid." % x)
                elif len(x) > 255:
                    errs["labels"] = ("The label '%s' exceeds the 255 "
                                      "characters limit." % x)
    for k in f:
        if k not in ("project", "summary", "issuetype", "description",
                     "priority", "labels"):
            errs[k] = ("Field '%s' cannot be set. It is not on the "
                       "appropriate screen, or unknown." % k)
    return errs, []


class Handler(RecordingHandler):
    def handle_any(self):
        srv = self.server
        o = srv.opts
        rec, body = self.read_request(status=None, answer=None)
        n = rec["n"]
        if o.delay:
            time.sleep(o.delay / 1000.0)
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        m = re.match(r"^/rest/api/([23])(/.*)$", url.path)
        if not m:
            return self.answer(rec, 404, {"errorMessages": [
                "No API at %s" % url.path], "errors": {}})
        api, rest = m.group(1), m.group(2)

        auth = self.headers.get("Authorization") or ""
        want = "Basic " + base64.b64encode(
            ("%s:%s" % (o.user, o.token)).encode()).decode()
        if auth != want:
            return self.answer(rec, 401, {"errorMessages": [
                "Client must be authenticated to access this resource."],
                "errors": {}})
        if o.rate_limit_path in self.path:
            with srv.lock:
                srv.limited += 1
                limited = srv.limited <= o.rate_limit
            if limited:
                h = [("X-RateLimit-Limit", "100"),
                     ("X-RateLimit-Remaining", "0"),
                     ("X-RateLimit-Reset", time.strftime(
                         "%Y-%m-%dT%H:%MZ", time.gmtime(time.time() + 60))),
                     ("RateLimit-Reason", "jira-burst-based")]
                if o.retry_after != "none":
                    h.append(("Retry-After", o.retry_after))
                return self.answer(rec, 429, {"errorMessages": [
                    "Rate limit exceeded."], "errors": {}}, h)
        if self.command in ("POST", "PUT"):
            ct = (self.headers.get("Content-Type") or "").split(";")[0]
            if ct.strip().lower() != "application/json":
                return self.answer(rec, 415, {"errorMessages": [
                    "Unsupported media type: %s" % ct], "errors": {}})
            if body is None and rec["body"]:
                return self.answer(rec, 400, {"errorMessages": [
                    "Unexpected character: the body is not JSON"],
                    "errors": {}})
        jira = srv.jira
        base = "http://127.0.0.1:%d/rest/api/%s" % (
            srv.server_address[1], api)

        if rest == "/myself" and self.command == "GET":
            return self.answer(rec, 200, {
                "accountId": "5b10a2844c20165700ede21g",
                "emailAddress": o.user, "displayName": "Incident Bot",
                "active": True})
        if rest in ("/search", "/search/id") or rest == "/expression/eval":
            return self.answer(rec, 410, GONE)
        if rest == "/search/jql" and self.command in ("GET", "POST"):
            return self.search(rec, q, body, base)
        if rest == "/issue" and self.command == "POST":
            errs, msgs = create_errors(o, api, body)
            if errs or msgs:
                return self.answer(rec, 400, {"errorMessages": msgs,
                                              "errors": errs or {}})
            if self.lose("fail_create", "fail_create"):
                return self.answer(rec, 503, {"errorMessages": [
                    "Service unavailable"], "errors": {}})
            issue = jira.add(body["fields"])
            rec["issue"] = issue["key"]
            if self.lose("create"):
                return self.answer(rec, 502, {"errorMessages": [
                    "Bad gateway"], "errors": {}})
            return self.answer(rec, 201, {
                "id": issue["id"], "key": issue["key"],
                "self": "%s/issue/%s" % (base, issue["id"])})
        im = re.match(r"^/issue/([^/]+)(/comment)?$", rest)
        if im:
            issue = jira.by_key.get(im.group(1))
            if not issue:
                return self.answer(rec, 404, {"errorMessages": [
                    "Issue does not exist or you do not have permission "
                    "to see it."], "errors": {}})
            if not im.group(2) and self.command == "GET":
                return self.answer(rec, 200, {
                    "id": issue["id"], "key": issue["key"],
                    "self": "%s/issue/%s" % (base, issue["id"]),
                    "fields": issue["fields"]})
            if im.group(2) and self.command == "GET":
                return self.comments(rec, q, issue, api)
            if im.group(2) and self.command == "POST":
                return self.comment(rec, body, issue, api)
        return self.answer(rec, 404, {"errorMessages": [
            "No %s at %s" % (self.command, url.path)], "errors": {}})

    def search(self, rec, q, body, base):
        srv = self.server
        if self.command == "POST":
            args = body if isinstance(body, dict) else {}
            jql = args.get("jql", "")
            fields = args.get("fields") or []
            maxr = args.get("maxResults", 50)
            token = args.get("nextPageToken")
        else:
            jql = q.get("jql", [""])[0]
            fields = ",".join(q.get("fields", [])).split(",")
            fields = [x for x in fields if x]
            maxr = q.get("maxResults", ["50"])[0]
            token = q.get("nextPageToken", [None])[0]
        try:
            maxr = int(maxr)
            clauses, desc = parse_jql(jql)
        except ValueError as e:
            return self.answer(rec, 400, {"errorMessages": [str(e)],
                                          "errors": {}})
        if not any(f == "project" for f, _ in clauses):
            return self.answer(rec, 400, {"errorMessages": [
                "Unbounded JQL queries are not allowed here. Please add a "
                "search restriction to your query."], "errors": {}})
        try:
            start = int(base64.urlsafe_b64decode(token).decode()) \
                if token else 0
        except ValueError:
            return self.answer(rec, 400, {"errorMessages": [
                "The provided next page token is invalid or expired."],
                "errors": {}})

        def hit(issue):
            for f, v in clauses:
                if f == "project" and not issue["key"].startswith(v + "-"):
                    return False
                if f == "key" and issue["key"] != v:
                    return False
                if f == "labels" and v.lower() not in [
                        x.lower() for x in issue["fields"].get("labels",
                                                               [])]:
                    return False
            return True
        with srv.jira.lock:
            found = [i for i in srv.jira.issues if hit(i)]
        if desc:
            found.reverse()
        size = max(1, min(maxr, srv.opts.page_size))
        page = found[start:start + size]
        out = []
        for i in page:
            if not fields:
                out.append({"id": i["id"]})
                continue
            d = {"id": i["id"], "key": i["key"],
                 "self": "%s/issue/%s" % (base, i["id"]), "fields": {}}
            for f in fields:
                if f in i["fields"]:
                    d["fields"][f] = i["fields"][f]
            out.append(d)
        ans = {"issues": out, "isLast": start + size >= len(found)}
        if not ans["isLast"]:
            ans["nextPageToken"] = base64.urlsafe_b64encode(
                str(start + size).encode()).decode()
        return self.answer(rec, 200, ans)

    def comments(self, rec, q, issue, api):
        start = int(q.get("startAt", ["0"])[0])
        maxr = min(int(q.get("maxResults", ["50"])[0]), 100)
        cs = issue["comments"]
        page = []
        for c in cs[start:start + maxr]:
            b = c["body"]
            if api == "2" and not isinstance(b, str):
                b = adf_text(b)
            elif api == "3" and isinstance(b, str):
                b = {"type": "doc", "version": 1, "content": [
                    {"type": "paragraph", "content": [
                        {"type": "text", "text": b}]}]}
            page.append({"id": c["id"], "body": b, "created": c["created"]})
        return self.answer(rec, 200, {"startAt": start, "maxResults": maxr,
                                      "total": len(cs), "comments": page})

    def comment(self, rec, body, issue, api):
        b = body.get("body") if isinstance(body, dict) else None
        if api == "2" and (not isinstance(b, str) or not b.strip()):
            return self.answer(rec, 400, {"errorMessages": [], "errors": {
                "comment": "Comment body can not be empty!"
                if not b else "Operation value must be a string"}})
        if api == "3":
            why = adf_problem(b) if isinstance(b, dict) else "a string"
            if why:
                return self.answer(rec, 400, {"errorMessages": [
                    "Comment body is not a valid document: " + why],
                    "errors": {}})
        jira = self.server.jira
        with jira.lock:
            jira.comment_id += 1
            c = {"id": str(jira.comment_id), "body": b,
                 "created": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000",
                                          time.gmtime())}
            issue["comments"].append(c)
        rec["issue"] = issue["key"]
        if self.lose("comment"):
            return self.answer(rec, 502, {"errorMessages": ["Bad gateway"],
                                          "errors": {}})
        return self.answer(rec, 201, c)

    def lose(self, what, opt=None):
        """Whether to lose the answer to this good create or comment
        (--lose-WHAT), or to fail it (opt names the option)."""
        srv = self.server
        with srv.lock:
            srv.lost[what] = srv.lost.get(what, 0) + 1
            return srv.lost[what] <= getattr(srv.opts, opt or "lose_" + what)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def main():
    p = argparse.ArgumentParser(description="Jira Cloud REST stand-in "
                                "(protocols.md §2)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--log", required=True)
    p.add_argument("--user", default="bot@example.com")
    p.add_argument("--token", default="jira-test-token")
    p.add_argument("--project", default="OPS")
    p.add_argument("--issue-types", default="Incident,Task,Bug",
                   type=lambda s: [x for x in s.split(",") if x])
    p.add_argument("--priorities", default="Highest,High,Medium,Low,Lowest",
                   type=lambda s: [x for x in s.split(",") if x])
    p.add_argument("--no-priority-field", action="store_true")
    p.add_argument("--rate-limit", type=int, default=0, metavar="N")
    p.add_argument("--rate-limit-path", default="")
    p.add_argument("--retry-after", default="1")
    p.add_argument("--delay", type=int, default=0, metavar="MS")
    p.add_argument("--page-size", type=int, default=50)
    p.add_argument("--key-start", type=int, default=1)
    p.add_argument("--lose-create", type=int, default=0, metavar="N")
    p.add_argument("--lose-comment", type=int, default=0, metavar="N")
    p.add_argument("--fail-create", type=int, default=0, metavar="N")
    p.add_argument("--seed")
    p.add_argument("--lifetime", type=float, default=120)
    opts = p.parse_args()

    srv = RecordingServer(opts, Handler)
    srv.jira = Jira(opts)
    srv.limited = 0
    srv.lost = {}
    serve(srv)


if __name__ == "__main__":
    main()
