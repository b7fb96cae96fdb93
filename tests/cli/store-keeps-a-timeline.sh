#!/bin/sh
# inc-store keeps an append-only timeline per incident: created, updated
# (with the keys that changed), acknowledged and resolved, in order.
. "${0%/*}/../testlib.sh"

t() {
	echo '{"id":"tl-1","title":"db down","source":"grafana"}' |
		inc-store --db "$DB" >/dev/null
	echo '{"id":"tl-1","title":"db down","source":"grafana","severity":"HIGH","team":"db"}' |
		inc-store --db "$DB" >/dev/null
	inc-store --db "$DB" ack tl-1 --by alice >/dev/null
	inc-store --db "$DB" resolve tl-1 --resolution "restarted it" \
		--by bob >/dev/null
	inc-store --db "$DB" events tl-1 >ev
	jq -r '.type' ev >types
	printf '%s\n' created updated acknowledged resolved >expect
	cmp_expect expect types
	jqtest 'select(.type=="created") | .actor=="grafana" and
		.incident_id=="tl-1" and .detail.status=="open"' ev
	jqtest 'select(.type=="updated") | .detail.changed==["severity","team"]
		and .detail.version==2' ev
	jqtest 'select(.type=="acknowledged") | .actor=="alice"' ev
	jqtest 'select(.type=="resolved") | .actor=="bob" and
		.detail.resolution=="restarted it"' ev
	# In order, one after the other.
	jq -s -e '[.[].seq] as $s | $s == ($s | sort) and
		([.[].at] as $a | $a == ($a | sort))' ev >/dev/null
	expect_code 65 inc-store --db "$DB" events tl-nope 2>err
	grep -q '^inc-store: tl-nope: no such incident$' err
}
for_each_db t
