#!/bin/sh
# inc-store --kb stores knowledge-base records with their vectors (base64
# or an array of numbers) and bumps the kb version on every change.
. "${0%/*}/../testlib.sh"

t() {
	# [1.0, 2.0] as little-endian float32 is 0000803f00000040.
	printf '%s\n' \
	 '{"id":"kb-1","kind":"kb","title":"Disk full","severity":"HIGH","resolution":"rotate logs","embedding":{"model":"m1","dim":2,"vector":"AACAPwAAAEA="}}' \
	 '{"id":"kb-2","kind":"kb","title":"DNS","resolution":"flush","embedding":{"model":"m2","dim":2,"vector":[1.0,2.0]}}' \
	 '{"id":"kb-3","title":"an incident"}' \
	 '{"id":"kb-4","kind":"kb","title":"bad vector","embedding":{"model":"m1","dim":3,"vector":"AACAPwAAAEA="}}' \
	 >in
	inc-store --db "$DB" --kb <in >out
	test "$(lines out)" -eq 4
	jqtest 'select(.id=="kb-1") | .store.version==1 and (.errors|not)' out
	jqtest 'select(.id=="kb-3") | .errors[0].error=="not a kb record: not stored"' out
	jqtest 'select(.id=="kb-4") | (.errors[0].error |
		test("dim is 3 but the vector has 2 values"))' out
	test "$(db_sql "SELECT lower(hex_vector) FROM (SELECT id, $(
		[ $BACKEND = sqlite ] && echo 'hex(vector)' ||
		echo "encode(vector, 'hex')") AS hex_vector FROM kb) v
		WHERE id IN ('kb-1', 'kb-2') ORDER BY id")" = \
		"$(printf '0000803f00000040\n0000803f00000040')"
	test "$(db_sql "SELECT model || ' ' || dim FROM kb WHERE id = 'kb-2'")" = "m2 2"
	test "$(db_sql "SELECT count(*) FROM kb WHERE id = 'kb-4' AND vector IS NULL")" = 1
	test "$(db_sql "SELECT count(*) FROM incidents")" = 0
	inc-store --db "$DB" stats >s1
	jqtest '.kb.documents==3 and .kb.version==1' s1

	# The same records again change nothing; a new resolution does.
	grep -v kb-4 in | inc-store --db "$DB" --kb >/dev/null
	inc-store --db "$DB" stats >s2
	jqtest '.kb.version==1' s2
	echo '{"id":"kb-1","kind":"kb","title":"Disk full","severity":"HIGH","resolution":"rotate logs, grow volume","embedding":{"model":"m1","dim":2,"vector":"AACAPwAAAEA="}}' |
		inc-store --db "$DB" >out2
	jqtest '.store.version==2' out2
	inc-store --db "$DB" stats >s3
	jqtest '.kb.version==2' s3
	inc-store --db "$DB" get kb-1 >got
	jqtest '.resolution=="rotate logs, grow volume"' got
}
for_each_db t
