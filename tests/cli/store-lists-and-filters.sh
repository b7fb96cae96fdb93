#!/bin/sh
# inc-store list shows incidents newest first, filtered by status,
# severity and age, as JSON lines or as a table for people.
. "${0%/*}/../testlib.sh"

t() {
	for i in 1 2 3; do
		printf '{"id":"ls-%s","title":"low %s","severity":"LOW"}\n' $i $i |
			inc-store --db "$DB" >/dev/null
	done
	printf '%s\n' '{"id":"ls-4","title":"high one","severity":"HIGH"}' \
		'{"id":"ls-5","title":"no severity"}' | inc-store --db "$DB" >/dev/null
	inc-store --db "$DB" ack ls-2 >/dev/null

	inc-store --db "$DB" list -f jsonl | jq -r .id >ids
	printf '%s\n' ls-5 ls-4 ls-3 ls-2 ls-1 >expect
	cmp_expect expect ids
	inc-store --db "$DB" list -f jsonl --severity low | jq -r .id >ids
	printf '%s\n' ls-3 ls-2 ls-1 >expect
	cmp_expect expect ids
	inc-store --db "$DB" list -f jsonl --status acknowledged | jq -r .id >ids
	echo ls-2 >expect
	cmp_expect expect ids
	inc-store --db "$DB" list -f jsonl --status open --severity LOW \
		--limit 1 | jq -r .id >ids
	echo ls-3 >expect
	cmp_expect expect ids
	inc-store --db "$DB" list -f jsonl --since 1h >all
	test "$(lines all)" -eq 5
	inc-store --db "$DB" list -f jsonl --since 2999-01-01T00:00:00Z >none
	must_be_empty none

	inc-store --db "$DB" list --format table >table
	head -1 table | grep -q '^ID  *STATUS  *SEVERITY  *UPDATED  *TITLE$'
	grep -q '^ls-2  *acknowledged  *LOW  *[0-9-]*T[0-9:]*Z  *low 2$' table
	grep -q '^ls-5  *open  *-  .*no severity$' table
	# Aligned: every title starts in the column of its heading.
	col=$(head -1 table | awk '{ print index($0, "TITLE") }')
	sed 1d table | cut -c "$col"- >titles
	printf '%s\n' 'no severity' 'high one' 'low 3' 'low 2' 'low 1' >expect
	cmp_expect expect titles

	expect_code 64 inc-store --db "$DB" list --status closed 2>err
	grep -q -- '--status: must be open, acknowledged or resolved' err
	expect_code 64 inc-store --db "$DB" list --since yesterday 2>/dev/null
	expect_code 64 inc-store --db "$DB" list --format xml 2>/dev/null
}
for_each_db t
