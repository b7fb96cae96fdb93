#!/bin/sh
# inc-stt passes a recording of silence on, unchanged but for an errors[] entry, and exits 1 for it only with --strict.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
sox -n -r 8000 -e u-law quiet.wav trim 0 3
printf '{"id":"INC-1","audio":{"path":"%s"},"source":"phone"}\n' "$TESTDIR/quiet.wav" >job
inc-stt <job >out 2>err
test "$(lines out)" -eq 1
jqtest '.id=="INC-1" and .source=="phone" and (has("description")|not)
	and (.errors|length==1) and .errors[0].stage=="inc-stt"
	and (.errors[0].error|test("no speech"))' out
expect_code 1 inc-stt --strict <job >out
jqtest '.id=="INC-1"' out
