#!/bin/sh
# inc-match reports each malformed line as "inc-match: line N: reason", copies it to the --reject file, passes the good records on and exits 65.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"g-1","title":"disk full"}' | inc-embed >good
echo '{"id":"g-2","title":"dns failure"}' | inc-embed >good2
{
	cat good
	echo 'not json'
	echo '[1,2]'
	printf '{"id":"x","title":"\377"}\n'
	printf '{"id":"y","embedding":{"model":"m","dim":1,"vector":"AAAAAA=="}\n'
	cat good2
	echo '{"id":"z","title":"nul'
} >in
# A raw NUL byte in the last line.
printf '{"id":"w","t":"a\000b"}\n' >>in
for path in 1 0; do
	expect_code 65 env INC_BULK_PATH=$path inc-match --reject rej <in >out 2>err
	test "$(jq -r .id out | tr '\n' ' ')" = "g-1 g-2 "
	jq -e -s 'all(.[]; (.matches | length) == 5)' out >/dev/null
	for n in 2 3 4 5 7 8; do
		grep -q "^inc-match: line $n: " err || fail "line $n not reported"
	done
	test "$(lines err)" -eq 6
	grep -q '^inc-match: line 4: invalid UTF-8' err
	grep -q '^inc-match: line 3: not an object' err
	test "$(lines rej)" -eq 6
	grep -q '^not json$' rej
	rm rej
done
# Over INC_MAX_LINE is malformed too.
expect_code 65 env INC_MAX_LINE=1000 inc-match <good >out 2>err
must_be_empty out
grep -q '^inc-match: line 1: longer than 1000 bytes' err
