#!/bin/sh
# inc-match adds at most k matches, best first, each with the document's id, score, title, severity and resolution, and a match summary {k, best, index_size, ms}.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
n=$(inc-store stats | jq .kb.documents)
test "$n" -ge 20
printf '%s\n' \
 '{"id":"q-1","title":"db-01 disk full","description":"no space left on device on /var"}' \
 '{"id":"q-2","title":"database connection pool exhausted"}' \
 '{"id":"q-3","title":"TLS certificate expired on the api gateway"}' |
	inc-embed >q
inc-match <q >out 2>err
must_be_empty err
test "$(lines out)" -eq 3
# The default k is 5; -k changes it, and a k above the index gives it all.
jq -e -s 'all(.[]; (.matches | length) == 5 and .match.k == 5)' out \
	>/dev/null || fail "the default k is not 5"
for k in 1 3 12; do
	inc-match -k $k <q >outk
	jq -e -s "all(.[]; (.matches | length) == $k and .match.k == $k)" outk \
		>/dev/null || fail "-k $k did not give $k matches"
done
inc-match -k 100 <q >out100
jq -e -s "all(.[]; (.matches | length) == $n and .match.k == 100)" out100 \
	>/dev/null || fail "-k 100 did not give the whole index ($n)"

# Each match carries what the stored document says, and a score.
for id in $(jq -r '.matches[].id' out100 | sort -u); do
	inc-store get "$id"
done | jq -c '{id, title, severity, resolution}' | sort >docs
jq -c '.matches[] | {id, title, severity, resolution}' out100 | sort -u >shown
cmp_expect docs shown
"$PY" - out100 <<'P' || fail "matches are not sorted, or the summary is wrong"
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    m, s = r["matches"], r["match"]
    scores = [x["score"] for x in m]
    assert all(isinstance(x, float) or isinstance(x, int) for x in scores)
    assert scores == sorted(scores, reverse=True), scores
    assert all(-1.0001 <= x <= 1.0001 for x in scores)
    assert len({x["id"] for x in m}) == len(m), "an id twice"
    assert set(s) == {"k", "best", "index_size", "ms"}, s
    assert s["best"] == scores[0], (s["best"], scores[0])
    assert s["index_size"] == len(m)
    assert isinstance(s["ms"], (int, float)) and s["ms"] >= 0
P
# The best match of each query is the runbook it is about.
test "$(jq -r '.matches[0].id' out | tr '\n' ' ')" = \
	"kb-disk-full kb-db-connection-pool-exhausted kb-tls-certificate-expiry "
