#!/bin/sh
# inc-match prints its usage for -h, its version for -V, and exits 64 naming the rule for a -k outside 1..100 or any other mistake.
. "${0%/*}/../testlib.sh"
inc-match -h >out
grep -q '^usage: inc-match \[-k n\] \[--min-score s\]' out
inc-match --help >out2
cmp_expect out out2
inc-match -V >out
grep -q '^inc-match [0-9]' out
echo '{"id":"u-1","title":"x"}' >in
for k in 0 101 -1 x 5x ''; do
	expect_code 64 inc-match -k "$k" <in >out 2>err
	must_be_empty out
	grep -q "^inc-match: -k: must be 1..100" err || fail "-k '$k': $(cat err)"
	grep -q '^usage: inc-match ' err
done
for args in "--min-score 1.01" "--min-score -2" "--kind x" "--bogus" \
	"extra-argument" "-k"; do
	expect_code 64 inc-match $args <in >out 2>err
	must_be_empty out
	grep -q '^usage: inc-match ' err || fail "$args: no usage"
done
# The limits themselves are fine.
echo '{"id":"kb-u","kind":"kb","title":"u","embedding":{"model":"m","dim":1,"vector":[1]}}' |
	inc-store --kb >/dev/null
inc-match -k 1 <in >/dev/null
inc-match -k 100 --min-score -1 <in >/dev/null
inc-match -k 100 --min-score 1 <in >/dev/null
