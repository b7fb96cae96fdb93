#!/bin/sh
# inc-stt passes a job whose file is not audio, or is missing, on with an errors[] entry naming it.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
echo "this is text, not a recording" >notes.wav
inc-stt notes.wav >out
jqtest '(.errors[0].error|test("notes.wav: not audio")) and (has("description")|not)' out
printf '{"id":"a","audio":{"path":"/nonexistent/x.wav"}}\n{"id":"b","audio":{}}\n' >jobs
expect_code 1 inc-stt --strict <jobs >out
test "$(lines out)" -eq 2
jqtest '.id=="a" and (.errors[0].error|test("/nonexistent/x.wav"))' out
jqtest '.id=="b" and (.errors[0].error|test("neither path nor url"))' out
