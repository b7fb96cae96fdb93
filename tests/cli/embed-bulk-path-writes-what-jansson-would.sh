#!/bin/sh
# inc-embed's bulk path writes the same records and vectors as its jansson path (INC_BULK_PATH=0), escapes, unicode and --field arrays included.
. "${0%/*}/../testlib.sh"
cat >in <<'J'
{"id":"a","title":"plain title","description":"plain words here"}
{"id":"b",  "title" : "spaces\tand \"escapes\" \u00e9 \ud83d\ude00 \/var\/log", "n": 256.462, "big": 9223372036854775807, "neg": -0.0, "e": 1E-7}
{"id":"c","description":"nested metadata","metadata":{"a":[1,{"b":null}],"c":true},"team":"db"}
{"id":"d","title":"café ☕ naïve","description":"ünïcödé ＤＢ Größe","tags":["disk","full"],"resolution":"rotate logs"}
{"id":"e","title":"has embedding","embedding":{"model":"old","dim":2,"vector":"AACAPwAAAEA="},"after":1}
{"id":"f","description":"KubePodCrashLooping HTTPServer snake_case_name","tags":"single-tag-string"}
{"id":"g","title":"line\nbreaks\r\nand\ttabs","description":"\u0041\u0042C 中文 日本語"}
{"id":"h","ti\u0074le":"escaped key name","resolution":["first step","second step",3,null]}
{"id":"i","title":"first of two","title":"second of two"}
{"id":"j","title":"","description":"only a description"}
{"id":"k","description":"numbers in tags","tags":[1,"two",null,"three"],"resolution":{"not":"text"}}
{"id":"l","title":"no text fields at all for the others","resolution":""}
{"id":"m","team":"no text at all"}
J
for opts in "" "--field tags --field resolution" "--dim 32 --field resolution"; do
	inc-embed $opts <in >fast 2>err1
	INC_BULK_PATH=0 inc-embed $opts <in >slow 2>err2
	must_be_empty err1
	must_be_empty err2
	test "$(lines fast)" -eq 13
	# The same records, vectors included; only the time of an error and
	# the spelling of escapes and numbers may differ.
	jq -S -c 'del(.errors[]?.at)' fast >a
	jq -S -c 'del(.errors[]?.at)' slow >b
	cmp_expect b a
	jqtest 'select(.id=="m") | .errors[0].stage == "inc-embed"' fast
	test "$(jq -r 'select(.embedding) | .id' fast | wc -l)" -eq 12
done
# The --field values change the vectors of the records that have them.
inc-embed <in >plain
inc-embed --field tags --field resolution <in >fields
for id in d h; do
	test "$(jq -r "select(.id==\"$id\") | .embedding.vector" plain)" != \
		"$(jq -r "select(.id==\"$id\") | .embedding.vector" fields)" ||
		fail "--field did not change record $id"
done
test "$(jq -r 'select(.id=="a") | .embedding.vector' plain)" = \
	"$(jq -r 'select(.id=="a") | .embedding.vector' fields)"
# Numbers are written as they came on the bulk path.
inc-embed <in | grep -q '"neg":-0.0,"e":1E-7,' || fail "numbers were rewritten"
