#!/bin/sh
# inc-embed reports each malformed line as "inc-embed: line N: reason", copies it to --reject, passes the good records on and exits 65.
. "${0%/*}/../testlib.sh"
long=$(head -c 200 /dev/zero | tr '\0' a)
{
	echo '{"id":"ok-1","title":"db-01 disk full"}'
	echo 'not json {'
	echo '"a string"'
	echo '[1,2]'
	printf '{"title":"bad \377 byte"}\n'
	printf '{"title":"nul \\u0000"}\n'
	printf '{"title":"raw\000nul"}\n'
	echo "{\"title\":\"$long\"}"
	echo '{"id":"ok-2","title":"dns lookups fail"}'
	printf '{"id":"cut","title":"no end"'
} >in
cat >expect <<'E'
inc-embed: line 2: not JSON: invalid token near 'not' at column 3
inc-embed: line 3: not an object
inc-embed: line 4: not an object
inc-embed: line 5: invalid UTF-8 at byte 15
inc-embed: line 6: not JSON: \u0000 is not allowed without JSON_ALLOW_NUL near '"nul \u0000"' at column 21
inc-embed: line 7: NUL byte at byte 14
inc-embed: line 8: longer than 128 bytes
inc-embed: line 10: not JSON: '}' expected near end of file at column 28
E
# The same on the bulk path, the jansson path, --fit and the openai backend
# (in a dry run: nothing is sent).
for run in "" "INC_BULK_PATH=0" "--fit --model-file m" "--backend openai --dry-run"; do
	rm -f rej
	case $run in
	INC_*) expect_code 65 env INC_MAX_LINE=128 $run inc-embed --reject rej <in >out 2>err ;;
	*) expect_code 65 env INC_MAX_LINE=128 inc-embed $run --reject rej <in >out 2>err ;;
	esac
	test "$(jq -r .id out | tr '\n' ' ')" = "ok-1 ok-2 " || fail "$run passed: $(cat out)"
	grep '^inc-embed: line' err >got || true
	cmp_expect expect got
	# Every rejected line is in the reject file as it was read.
	test "$(lines rej)" -eq 8 || fail "$run: reject file has $(lines rej) lines"
	grep -q '^not json {$' rej
	grep -q "^{\"title\":\"$long\"}\$" rej
	LC_ALL=C grep -q 'bad .* byte' rej
done
