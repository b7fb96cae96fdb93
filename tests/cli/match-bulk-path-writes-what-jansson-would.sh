#!/bin/sh
# inc-match's bulk path writes the same records and matches as its jansson path (INC_BULK_PATH=0), escapes, arrays and records with errors included.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
cat >texts <<'J'
{"id":"a","title":"disk full","description":"no space left on device"}
{"id":"b",  "title" : "spaces\tand \"escapes\" \u00e9 \ud83d\ude00 \/var\/log", "n": 256.462, "big": 9223372036854775807, "neg": -0.0, "e": 1E-7}
{"id":"c","description":"pods crash looping","metadata":{"a":[1,{"b":null}],"c":true},"team":"db"}
{"id":"d","title":"café ☕ naïve TLS certificate expired","tags":["tls","cert"]}
{"id":"e","title":"nothing to embed here either way","matches":[{"id":"old"}],"match":{"k":1}}
J
inc-embed <texts >emb
# Also: an array vector, a record with none, another model, an escaped
# model id, and a key spelled with an escape.
inc-embed --format array <texts | sed -n 3p | jq -c '.id = "f"' >>emb
echo '{"id":"g","title":"no embedding"}' >>emb
sed -n 1p emb | jq -c '.id = "h" | .embedding.model = "other"' >>emb
sed -n 1p emb | sed 's/"model":"fh1/"model":"\\u0066h1/; s/"id":"a"/"id":"i"/' >>emb
sed -n 1p emb | sed 's/"title"/"t\\u0069tle"/; s/"id":"a"/"id":"j"/' >>emb
test "$(lines emb)" -eq 10
for k in 1 5 20; do
	inc-match -k $k <emb >fast 2>err1
	INC_BULK_PATH=0 inc-match -k $k <emb >slow 2>err2
	must_be_empty err1
	must_be_empty err2
	test "$(lines fast)" -eq 10
	# Only the time of an error, the time taken and the spelling of
	# escapes and numbers may differ.
	jq -S -c 'del(.errors[]?.at, .match.ms)' fast >a
	jq -S -c 'del(.errors[]?.at, .match.ms)' slow >b
	cmp_expect b a
	test "$(jq -r 'select(.matches) | .id' fast | tr '\n' ' ')" = \
		"a b c d e f i j "
	test "$(jq -r 'select(.errors) | .id' fast | tr '\n' ' ')" = "g h "
done
# The record with the escaped model id matched like the plain one.
test "$(jq -c 'select(.id=="i") | .matches' fast)" = \
	"$(jq -c 'select(.id=="a") | .matches' fast)"
# Numbers are written as they came on the bulk path.
inc-match <emb | grep -q '"neg":-0.0,"e":1E-7,' || fail "numbers were rewritten"
