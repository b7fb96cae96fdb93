#!/bin/sh
# inc-store resolve prints the resolved record as one line, ready for
# `| inc-embed | inc-store --kb`; ack prints the acknowledged one.
. "${0%/*}/../testlib.sh"

t() {
	echo '{"id":"rs-1","title":"tls expired","severity":"HIGH","mine":[1,2]}' |
		inc-store --db "$DB" >/dev/null
	inc-store --db "$DB" ack rs-1 --by dave >ack
	test "$(lines ack)" -eq 1
	jqtest '.status=="acknowledged" and .acknowledged_by=="dave" and
		(.acknowledged_at | test("Z$")) and .store.version==2 and
		.mine==[1,2]' ack
	inc-store --db "$DB" resolve rs-1 --resolution "renewed the cert" >res
	test "$(lines res)" -eq 1
	jqtest '.id=="rs-1" and .status=="resolved" and
		.resolution=="renewed the cert" and (.resolved_at | test("Z$"))
		and .acknowledged_by=="dave" and .store.version==3 and
		.title=="tls expired"' res
	# Acknowledging a resolved incident changes nothing.
	inc-store --db "$DB" ack rs-1 >again
	jqtest '.status=="resolved" and .store.version==3' again
	inc-store --db "$DB" get rs-1 >got
	cmp_expect res got

	expect_code 65 inc-store --db "$DB" resolve rs-nope --resolution x \
		>out 2>err
	must_be_empty out
	grep -q '^inc-store: rs-nope: no such incident$' err
	expect_code 65 inc-store --db "$DB" ack rs-nope 2>/dev/null
	expect_code 64 inc-store --db "$DB" resolve rs-1 2>err
	grep -q 'resolve: --resolution text is required' err
}
for_each_db t
