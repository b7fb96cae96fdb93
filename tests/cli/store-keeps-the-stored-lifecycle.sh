#!/bin/sh
# A replayed record cannot reopen an incident: the stored status wins;
# but an alert its source reports resolved resolves the incident.
. "${0%/*}/../testlib.sh"

t() {
	alert() {	# alert ID STATUS [ENDS]
		printf '{"id":"%s","title":"DiskFull","source":"alertmanager","metadata":{"alert":{"status":"%s","labels":{"alertname":"DiskFull"},"endsAt":"%s"}}}\n' \
			"$1" "$2" "${3:-0001-01-01T00:00:00Z}"
	}
	alert lc-1 firing | inc-store --db "$DB" >/dev/null
	inc-store --db "$DB" ack lc-1 --by erin >/dev/null
	alert lc-1 firing | sed 's/}}}$/}},"status":"open"}/' |
		inc-store --db "$DB" >out
	jqtest '.status=="acknowledged" and .acknowledged_by=="erin"' out
	alert lc-1 resolved 2026-03-01T10:00:00+02:00 | inc-store --db "$DB" >out
	jqtest '.status=="resolved" and .resolved_at=="2026-03-01T08:00:00.000000Z"
		and .resolution=="alert resolved at source" and
		.acknowledged_by=="erin"' out
	inc-store --db "$DB" events lc-1 | jq -r .type >types
	printf '%s\n' created acknowledged updated resolved >expect
	cmp_expect expect types
	# Firing again does not reopen it.
	alert lc-1 firing | inc-store --db "$DB" >out
	jqtest '.status=="resolved"' out

	# Resolved with no end time: now.
	alert lc-2 resolved | inc-store --db "$DB" >out
	jqtest '.status=="resolved" and (.resolved_at | test("^2[0-9]{3}-"))
		and (.resolved_at | startswith("0001") | not)' out
	# A new record's own lifecycle is taken as given; a bad one is not.
	echo '{"id":"lc-3","status":"closed"}' | inc-store --db "$DB" >out
	jqtest '.status=="open" and (.errors[0].error | test("status: must be"))' out
}
for_each_db t
