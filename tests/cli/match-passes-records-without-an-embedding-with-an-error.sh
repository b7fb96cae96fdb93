#!/bin/sh
# inc-match passes a record without an embedding on, unchanged but for an errors[] entry that says to run inc-embed first; exit 0, or 1 with --strict.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit | inc-store --kb >/dev/null
echo '{"id":"m-1","title":"disk full"}' | inc-embed >in
printf '%s\n' \
 '{"id":"m-2","title":"not embedded","team":"db","errors":[{"stage":"inc-stt","error":"earlier","at":"2026-01-01T00:00:00Z"}]}' \
 '{"id":"m-3","title":"embedding is not an object","embedding":"abc"}' \
 '{"id":"m-4","title":"embedding without a model","embedding":{"dim":2,"vector":"AACAPwAAAEA="}}' >>in
echo '{"id":"m-5","title":"disk full"}' | inc-embed >>in
for path in 1 0; do
	INC_BULK_PATH=$path inc-match <in >out 2>err
	must_be_empty err
	test "$(lines out)" -eq 5
	test "$(jq -r .id out | tr '\n' ' ')" = "m-1 m-2 m-3 m-4 m-5 "
	jqtest 'select(.id=="m-1") | (.matches | length) == 5 and (.errors | not)' out
	jqtest 'select(.id=="m-5") | (.matches | length) == 5 and (.errors | not)' out
	for id in m-2 m-3 m-4; do
		jqtest "select(.id==\"$id\") | (.matches | not) and (.match | not)
			and .errors[-1].stage == \"inc-match\"
			and (.errors[-1].error | test(\"run inc-embed first\"))
			and (.errors[-1].at | test(\"^20[0-9-]*T[0-9:.]*Z\$\"))" out
	done
	# The earlier entry and every other key are kept as they were.
	test "$(jq -c 'select(.id=="m-2") | del(.errors[-1])' out)" = \
		"$(jq -c 'select(.id=="m-2")' in)"
	expect_code 1 env INC_BULK_PATH=$path inc-match --strict <in >out2 2>err
	must_be_empty err
	jq -c 'del(.errors[]?.at, .match.ms)' out >a
	jq -c 'del(.errors[]?.at, .match.ms)' out2 >b
	cmp_expect a b
done
# --strict with nothing wrong is still 0.
grep -v '"m-[234]"' in | inc-match --strict >/dev/null
