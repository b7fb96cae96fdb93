#!/bin/sh
# inc-embed gives texts about the same problem a higher cosine than texts about different problems.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"q","title":"database connection pool exhausted"}' \
 '{"id":"near","title":"db connection pool is full, too many connections"}' \
 '{"id":"far","title":"TLS certificate expired"}' \
 '{"id":"q2","title":"KubePodCrashLooping","description":"pod payments-api is in CrashLoopBackOff"}' \
 '{"id":"near2","title":"pod crash looping","description":"the payments api container keeps restarting"}' \
 '{"id":"far2","title":"disk full on db-01","description":"no space left on device"}' >in
inc-embed <in >out
"$PY" - out <<'P' || fail "similar texts do not score higher"
import base64, json, struct, sys
v = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    e = r["embedding"]
    v[r["id"]] = struct.unpack("<%df" % e["dim"], base64.b64decode(e["vector"]))
cos = lambda a, b: sum(x * y for x, y in zip(v[a], v[b]))
for q, near, far in (("q", "near", "far"), ("q2", "near2", "far2")):
    print(q, "near %.3f far %.3f" % (cos(q, near), cos(q, far)))
    assert cos(q, near) > cos(q, far) + 0.2
    assert abs(cos(q, q) - 1) < 1e-5
P
