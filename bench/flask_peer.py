"""The seed's stack as a peer for bench/httpd: a minimal Flask app that
takes POST /api/v1/incidents, checks that the body is a JSON object with a
non-empty "description", and writes it durably as inc-httpd does (a file
in tmp/, fsync, rename into new/, fsync new/) before answering 202.

    PEER_SPOOL=/tmp/x gunicorn -w 2 -b 127.0.0.1:PORT \
        --chdir bench flask_peer:app
"""
import json
import os
import uuid

from flask import Flask, jsonify, request

app = Flask(__name__)
SPOOL = os.environ.get("PEER_SPOOL", "/tmp/flask-peer")
for sub in ("tmp", "new"):
    os.makedirs(os.path.join(SPOOL, sub), exist_ok=True)


@app.post("/api/v1/incidents")
def post_incident():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error="malformed JSON: not an object"), 400
    desc = body.get("description")
    if not isinstance(desc, str) or not desc.strip():
        return jsonify(error="description: missing or empty"), 400
    iid = body.get("id") or "INC-" + uuid.uuid4().hex[:12]
    body["id"] = iid
    name = "%s.%d" % (uuid.uuid4().hex, os.getpid())
    tmp = os.path.join(SPOOL, "tmp", name)
    with open(tmp, "w") as f:
        f.write(json.dumps(body, separators=(",", ":")))
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(SPOOL, "new", name))
    d = os.open(os.path.join(SPOOL, "new"), os.O_RDONLY)
    try:
        os.fsync(d)
    finally:
        os.close(d)
    return jsonify(id=iid, status="accepted",
                   statusUrl="/api/v1/incidents/%s/status" % iid), 202
