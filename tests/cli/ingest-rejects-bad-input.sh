#!/bin/sh
# inc-ingest rejects each class of bad input with a one-line reason, copies it to --reject, passes the good records on and exits 65.
. "${0%/*}/../testlib.sh"
long=$(head -c 70000 /dev/zero | tr '\0' a)
ltitle=$(head -c 600 /dev/zero | tr '\0' t)
{
	echo '{"id":"ok-1","description":"fine"}'
	echo 'not json at all {'
	echo '"a string"'
	echo '[1,2]'
	echo '{"description":""}'
	printf '%s\n' '{"description":"  \t "}'
	echo '{"title":"no description"}'
	printf '{"description":"bad \377 byte"}\n'
	printf '{"description":"nul\\u0000"}\n'
	echo '{"id":"has space","description":"x"}'
	echo '{"id":"","description":"x"}'
	echo '{"id":42,"description":"x"}'
	echo '{"description":"x","metadata":"str"}'
	echo "{\"description\":\"$long\"}"
	echo "{\"description\":\"x\",\"title\":\"$ltitle\"}"
	echo '{"description":"x","kind":"other"}'
	echo '{"id":"ok-2","description":"fine too"}'
} >in.jsonl
# JSON lines are decided by the first line; later garbage lines are rejected one by one.
expect_code 65 inc-ingest --reject rej in.jsonl >out 2>err
test "$(jq -r .id out | tr '\n' ' ')" = "ok-1 ok-2 " || fail "passed: $(cat out)"
cat >expect <<'E'
inc-ingest: in.jsonl: line 2: not JSON: invalid token near 'not' at column 3
inc-ingest: in.jsonl: line 3: not an object
inc-ingest: in.jsonl: line 4: not an object
inc-ingest: in.jsonl: line 4: not an object
inc-ingest: in.jsonl: line 5: description is empty
inc-ingest: in.jsonl: line 6: description is empty
inc-ingest: in.jsonl: line 7: description is missing
inc-ingest: in.jsonl: line 8: invalid UTF-8 at byte 21
inc-ingest: in.jsonl: line 9: not JSON: \u0000 is not allowed without JSON_ALLOW_NUL near '"nul\u0000"' at column 26
inc-ingest: in.jsonl: line 10: id must match [A-Za-z0-9._:-]{1,128}
inc-ingest: in.jsonl: line 11: id must match [A-Za-z0-9._:-]{1,128}
inc-ingest: in.jsonl: line 12: id is not a string
inc-ingest: in.jsonl: line 13: metadata is not an object
inc-ingest: in.jsonl: line 14: description is longer than 65536 bytes
inc-ingest: in.jsonl: line 15: title is longer than 512 bytes
inc-ingest: in.jsonl: line 16: kind must be "incident" or "kb"
E
cmp_expect expect err
# Every rejected line is in the reject file, byte for byte where it was a line.
grep -c . rej | grep -qx 16 || fail "reject file has $(grep -c . rej) lines"
LC_ALL=C grep -q 'bad .* byte' rej || fail 'invalid UTF-8 line not kept raw'
grep -q '^not json at all {$' rej
