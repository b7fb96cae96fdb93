#!/bin/sh
# inc-embed --format array writes the vector as a JSON array of the same numbers as the base64 form.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"a-1","title":"db-01 disk full"}' \
 '{"id":"a-2","title":"payments latency","description":"p99 over 2 s since the deploy"}' >in
inc-embed <in >b64
inc-embed --format array <in >arr
jq -e -s 'all(.[]; (.embedding.vector | type) == "array" and
	(.embedding.vector | length) == .embedding.dim and
	.embedding.model == "fh1-d384-w2-c34-noidf")' arr >/dev/null ||
	fail "--format array: $(head -c 300 arr)"
"$PY" - b64 arr <<'P' || fail "the array and the base64 vectors differ"
import base64, json, struct, sys
b = [json.loads(l)["embedding"] for l in open(sys.argv[1])]
a = [json.loads(l)["embedding"] for l in open(sys.argv[2])]
assert len(a) == len(b) == 2
for x, y in zip(b, a):
    v = struct.unpack("<%df" % x["dim"], base64.b64decode(x["vector"]))
    # Each number is a float32 widened to a double: equal exactly.
    assert list(v) == y["vector"], (v[:4], y["vector"][:4])
    assert x["model"] == y["model"] and x["dim"] == y["dim"]
P
# Everything but the vector is the same.
test "$(jq -c 'del(.embedding.vector)' b64)" = "$(jq -c 'del(.embedding.vector)' arr)"
expect_code 64 inc-embed --format json <in >/dev/null 2>err
grep -q '^inc-embed: --format: base64 or array: json$' err
