#!/bin/sh
# inc-embed's local embedder writes embedding {model, dim, vector}, the vector base64 of dim little-endian float32 of length 1, and the same input gives byte-identical output.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"d-1","title":"db-01 disk full","description":"/var is at 100%, writes fail"}' \
 '{"id":"d-2","description":"KubePodCrashLooping in namespace payments"}' \
 '{"id":"d-3","title":"TLS certificate expired on api.example.com"}' >in
inc-embed <in >out1 2>err
must_be_empty err
inc-embed <in >out2
cmp out1 out2 || fail "two runs on the same input differ"
test "$(lines out1)" -eq 3
jqtest '[.embedding | keys[]] == ["dim", "model", "vector"]' out1
jq -e -s 'all(.[]; .embedding.model == "fh1-d384-w2-c34-noidf" and
	.embedding.dim == 384 and (.embedding.vector | type) == "string")' \
	out1 >/dev/null || fail "embedding is not {model, dim 384, base64}"
# Decode each vector: 4 bytes per dimension, finite, Euclidean length 1.
"$PY" - out1 <<'P' || fail "a vector is not dim unit float32 values"
import base64, json, math, struct, sys
for line in open(sys.argv[1]):
    e = json.loads(line)["embedding"]
    raw = base64.b64decode(e["vector"], validate=True)
    assert len(raw) == 4 * e["dim"], (len(raw), e["dim"])
    v = struct.unpack("<%df" % e["dim"], raw)
    assert all(math.isfinite(x) for x in v)
    norm = math.sqrt(sum(x * x for x in v))
    assert abs(norm - 1) < 1e-5, norm
    assert sum(1 for x in v if x != 0) > 10, "too few features"
P
# Different texts get different vectors.
test "$(jq -r .embedding.vector out1 | sort -u | wc -l)" -eq 3
# The same text in a later record and a fresh run gives the same vector.
sed -n 3p in | inc-embed >one
test "$(jq -r .embedding.vector one)" = "$(sed -n 3p out1 | jq -r .embedding.vector)"
