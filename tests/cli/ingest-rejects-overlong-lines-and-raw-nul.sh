#!/bin/sh
# inc-ingest rejects a line over INC_MAX_LINE and a line with a NUL byte, and keeps reading after them.
. "${0%/*}/../testlib.sh"
{
	echo '{"id":"a","description":"first"}'
	printf '{"description":"%s"}\n' "$(head -c 300 /dev/zero | tr '\0' x)"
	printf '{"description":"raw\000nul"}\n'
	echo '{"id":"b","description":"last"}'
} >in
INC_MAX_LINE=200 expect_code 65 inc-ingest --reject rej <in >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "a b "
grep -q '^inc-ingest: line 2: longer than 200 bytes$' err || fail "$(cat err)"
grep -q '^inc-ingest: line 3: NUL byte at byte 20$' err || fail "$(cat err)"
# The overlong line reaches the reject file whole.
test "$(head -n 1 rej | wc -c)" -eq 319
# A bad limit is a configuration error.
INC_MAX_LINE=lots expect_code 78 inc-ingest <in >/dev/null 2>err
grep -q 'INC_MAX_LINE: must be a number' err
