#!/bin/sh
# inc-embed --field NAME embeds the field's text after the title and description, a string or each string of an array, in the order the options are given.
. "${0%/*}/../testlib.sh"
vec() { jq -r "select(.id==\"$1\") | .embedding.vector" "$2"; }
printf '%s\n' \
 '{"id":"f-1","title":"db-01 disk full","description":"writes fail","resolution":"rotate the logs","tags":["disk","storage"]}' \
 '{"id":"f-2","title":"db-01 disk full","description":"writes fail"}' >in
# What --field resolution embeds is the text joined with a blank line.
printf '%s\n' \
 '{"id":"w-1","title":"db-01 disk full","description":"writes fail\n\nrotate the logs"}' \
 '{"id":"w-2","title":"db-01 disk full","description":"writes fail\n\nrotate the logs\n\ndisk\n\nstorage"}' \
 '{"id":"w-3","title":"db-01 disk full","description":"writes fail\n\ndisk\n\nstorage\n\nrotate the logs"}' >want
for path in 1 0; do
	export INC_BULK_PATH=$path
	inc-embed <in >plain
	inc-embed <want >w
	inc-embed --field resolution <in >one
	inc-embed --field resolution --field tags <in >two
	inc-embed --field tags --field resolution <in >rev
	test "$(vec f-1 one)" = "$(vec w-1 w)" || fail "path $path: --field resolution"
	test "$(vec f-1 two)" = "$(vec w-2 w)" || fail "path $path: two fields"
	test "$(vec f-1 rev)" = "$(vec w-3 w)" || fail "path $path: fields in order"
	test "$(vec f-1 plain)" != "$(vec f-1 one)"
	# A record without the field is embedded as without the option.
	test "$(vec f-2 plain)" = "$(vec f-2 one)"
	test "$(vec f-2 plain)" = "$(vec f-2 two)"
done
unset INC_BULK_PATH
# A field alone is text enough.
echo '{"id":"f-3","resolution":"restart the resolver"}' >only
inc-embed --field resolution <only >out
jqtest '.embedding.dim == 384 and .errors == null' out
inc-embed <only >out
jqtest '.embedding == null and .errors[0].stage == "inc-embed"' out
# At most 16 fields.
set --
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do set -- "$@" --field "f$i"; done
expect_code 64 inc-embed "$@" <in >out 2>err
grep -q '^inc-embed: --field: at most 16$' err
must_be_empty out
