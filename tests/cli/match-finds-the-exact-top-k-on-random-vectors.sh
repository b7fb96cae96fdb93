#!/bin/sh
# inc-match's top 10 over 2000 random unit vectors agrees with a brute-force search (recall@10 of 0.99 or better) and its scores are the exact inner products.
. "${0%/*}/../testlib.sh"
"$PY" - <<'P'
import base64, json, math, random, struct
rnd = random.Random(20260101)
dim = 96
def unit():
    v = [rnd.gauss(0, 1) for _ in range(dim)]
    s = math.sqrt(sum(x * x for x in v))
    return [x / s for x in v]
def b64(v):
    return base64.b64encode(struct.pack("<%df" % dim, *v)).decode()
with open("kb", "w") as f:
    for i in range(2000):
        f.write(json.dumps({"id": "rv-%04d" % i, "kind": "kb",
            "title": "random %d" % i, "severity": "LOW",
            "resolution": "r%d" % i, "embedding": {"model": "random-unit-96",
            "dim": dim, "vector": b64(unit())}}) + "\n")
with open("q", "w") as f:
    for i in range(50):
        f.write(json.dumps({"id": "q-%02d" % i, "embedding": {
            "model": "random-unit-96", "dim": dim,
            "vector": b64(unit())}}) + "\n")
P
inc-store --kb <kb >stored
test "$(jq -s 'map(select(.errors)) | length' stored)" -eq 0
inc-match -k 10 <q >out 2>err
must_be_empty err
test "$(lines out)" -eq 50
"$PY" - <<'P' || fail "not the exact top 10"
import base64, json, struct
def vec(e):
    return struct.unpack("<%df" % e["dim"], base64.b64decode(e["vector"]))
kb, doc = {}, {}
for line in open("kb"):
    r = json.loads(line)
    kb[r["id"]] = vec(r["embedding"])
    doc[r["id"]] = (r["title"], r["severity"], r["resolution"])
found = total = 0
worst = 0.0
for line in open("out"):
    r = json.loads(line)
    q = vec(r["embedding"])
    score = {i: sum(a * b for a, b in zip(q, v)) for i, v in kb.items()}
    best = sorted(score, key=lambda i: -score[i])[:10]
    got = [m["id"] for m in r["matches"]]
    assert len(got) == 10 and len(set(got)) == 10, got
    assert r["match"]["index_size"] == 2000, r["match"]
    found += len(set(best) & set(got))
    total += 10
    for m in r["matches"]:
        worst = max(worst, abs(m["score"] - score[m["id"]]))
        assert (m["title"], m["severity"], m["resolution"]) == doc[m["id"]], m
    scores = [m["score"] for m in r["matches"]]
    assert scores == sorted(scores, reverse=True), scores
recall = found / total
print("recall@10 %.4f, largest score error %.2g" % (recall, worst))
assert recall >= 0.99, recall
assert worst <= 1e-4, worst
P
