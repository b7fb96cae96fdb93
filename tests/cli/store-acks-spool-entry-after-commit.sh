#!/bin/sh
# inc-store --ack DIR removes a record's spool entry once the last part of
# it is committed, and never an entry whose record was not stored.
. "${0%/*}/../testlib.sh"

t() {
	mkdir -p spool/cur spool/new spool/tmp
	touch spool/cur/e1 spool/cur/e2 spool/cur/e3 spool/cur/keep
	printf '%s\n' \
	  '{"id":"ak-1","title":"a","spool":{"name":"e1","part":1,"parts":2}}' \
	  '{"id":"ak-2","title":"b","spool":{"name":"e1","part":2,"parts":2}}' \
	  '{"id":"ak-3","title":"c","spool":{"name":"e2","part":1,"parts":1}}' \
	  '{"id":"ak-4","title":"d","spool":{"name":"gone","part":1,"parts":1}}' \
	  '{"title":"no id","spool":{"name":"e3","part":1,"parts":1}}' \
	  '{"id":"ak-5","title":"e","spool":{"name":"../keep","part":1,"parts":1}}' \
	  >in
	inc-store --db "$DB" --ack spool <in >out 2>err
	test "$(lines out)" -eq 6
	test ! -e spool/cur/e1
	test ! -e spool/cur/e2
	# Not stored (no id): its entry stays, to be replayed.
	test -e spool/cur/e3
	# A name that is not a plain entry name is refused.
	test -e spool/cur/keep
	grep -q 'spool.name: not a spool entry name' err

	# Only the last part frees the entry: the first part alone does not.
	touch spool/cur/e4
	echo '{"id":"ak-6","spool":{"name":"e4","part":1,"parts":2}}' |
		inc-store --db "$DB" --ack spool >/dev/null
	test -e spool/cur/e4

	# A commit that fails leaves the entry in place.
	case $BACKEND in
	sqlite) db_sql "CREATE TRIGGER no_insert BEFORE INSERT ON incidents
		BEGIN SELECT RAISE(ABORT, 'refused by test'); END;" ;;
	*) db_sql "CREATE FUNCTION refuse() RETURNS trigger AS
		\$\$ BEGIN RAISE EXCEPTION 'refused by test'; END \$\$
		LANGUAGE plpgsql; CREATE TRIGGER no_insert BEFORE INSERT ON
		incidents FOR EACH ROW EXECUTE FUNCTION refuse();" ;;
	esac
	touch spool/cur/e5
	echo '{"id":"ak-7","spool":{"name":"e5","part":1,"parts":1}}' |
		inc-store --db "$DB" --ack spool >out 2>err
	test -e spool/cur/e5
	jqtest '.errors[0].stage=="inc-store" and
		(.errors[0].error | test("not stored: .*refused by test"))' out
	grep -q 'refused by test' err
	# Exit 0 without --strict (asserted above by set -e), 1 with it.
	echo '{"id":"ak-8"}' |
		expect_code 1 inc-store --db "$DB" --strict >/dev/null 2>&1
}
for_each_db t
