#!/bin/sh
# inc-store reports a malformed line with its number, copies it to the
# reject file, stores the good lines and exits 65.
. "${0%/*}/../testlib.sh"

t() {
	printf '%s\n' '{"id":"ml-1"}' 'not json' '[1,2]' '{"id":"ml-2"}' \
		'{"id":"ml-3",}' >in
	printf '{"id":"ml-\377"}\n' >>in
	printf '%s\n' '{"id":"ml-4"}' >>in
	expect_code 65 inc-store --db "$DB" --reject rej <in >out 2>err
	jq -r .id out >ids
	printf '%s\n' ml-1 ml-2 ml-4 >expect
	cmp_expect expect ids
	grep -q '^inc-store: line 2: not JSON' err
	grep -q '^inc-store: line 3: not an object$' err
	grep -q '^inc-store: line 5: not JSON' err
	grep -q '^inc-store: line 6: invalid UTF-8 at byte 11$' err
	test "$(lines rej)" -eq 4
	sed -n 1p rej | grep -qx 'not json'
	test "$(db_sql 'SELECT count(*) FROM incidents')" = 3
	# A line over INC_MAX_LINE is malformed too.
	awk 'BEGIN { printf "{\"id\":\"ml-5\",\"x\":\"%0200d\"}\n", 0 }' |
		INC_MAX_LINE=100 expect_code 65 inc-store --db "$DB" >/dev/null 2>err
	grep -q '^inc-store: line 1: longer than 100 bytes$' err
}
for_each_db t
