#!/bin/sh
# inc-match keeps its index file in $INC_STATE_DIR/cache (or INC_MATCH_CACHE), uses it again while the knowledge base is unchanged, and rebuilds it when the knowledge base changes or the file is damaged.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" >kb
inc-embed --fit <kb | inc-store --kb >/dev/null
echo '{"id":"c-1","title":"disk full"}' | inc-embed >q
inc-match <q | jq -c 'del(.match.ms)' >first
jqtest '.matches[0].id == "kb-disk-full"' first
set -- "$INC_STATE_DIR"/cache/*.vix
test $# -eq 1 && test -f "$1" || fail "no index file in $INC_STATE_DIR/cache"
vix=$1
test "$(stat -c %a "$INC_STATE_DIR/cache")" = 700
test "$(stat -c %a "$vix")" = 600
ino=$(stat -c %i "$vix")
# An unchanged knowledge base: the same file, not written again.
inc-match <q | jq -c 'del(.match.ms)' >second
cmp_expect first second
test "$(stat -c %i "$vix")" = "$ino" || fail "the index was rebuilt for nothing"
# A changed one: a new file in its place.
sed -n 1p kb | jq -c '.resolution = "something else"' | inc-embed |
	inc-store --kb >/dev/null
inc-match <q >/dev/null
test "$(stat -c %i "$vix")" != "$ino" || fail "the index was not rebuilt"
ls "$INC_STATE_DIR"/cache >list
test "$(lines list)" -eq 1 || fail "left behind: $(cat list)"
# A damaged file is rebuilt, not trusted.
head -c 1000 "$vix" >cut && cat cut >"$vix"
inc-match <q | jq -c 'del(.match.ms)' >third
cmp_expect first third
test "$(stat -c %s "$vix")" -gt 1000
printf 'INCVIX01' | dd of="$vix" bs=1 seek=8 conv=notrunc 2>/dev/null
inc-match <q | jq -c 'del(.match.ms)' >fourth
cmp_expect first fourth
test "$(dd if="$vix" bs=1 skip=8 count=8 2>/dev/null)" != INCVIX01 ||
	fail "the damaged file was left as it was"
# INC_MATCH_CACHE moves it.
INC_MATCH_CACHE=$TESTDIR/elsewhere inc-match <q | jq -c 'del(.match.ms)' >moved
cmp_expect first moved
set -- "$TESTDIR"/elsewhere/*.vix
test -f "$1" || fail "no index file in INC_MATCH_CACHE"
