#!/bin/sh
# inc-store stats counts incidents by severity, status and classification
# method, and gives the mean times to acknowledge and to resolve.
. "${0%/*}/../testlib.sh"

t() {
	# Imported incidents carry their own lifecycle times.
	printf '%s\n' \
	 '{"id":"st-1","severity":"HIGH","classification":{"method":"rag"},"reported_at":"2026-01-01T00:00:00Z","status":"acknowledged","acknowledged_at":"2026-01-01T00:10:00Z"}' \
	 '{"id":"st-2","severity":"HIGH","classification":{"method":"rules"},"reported_at":"2026-01-01T00:00:00Z","status":"acknowledged","acknowledged_at":"2026-01-01T00:20:00Z"}' \
	 '{"id":"st-3","severity":"LOW","classification":{"method":"rag"},"reported_at":"2026-01-01T00:00:00Z","metadata":{"alert":{"status":"resolved","endsAt":"2026-01-01T01:00:00Z"}}}' \
	 '{"id":"st-4","reported_at":"2026-01-01T00:00:00Z"}' |
		inc-store --db "$DB" >/dev/null
	inc-store --db "$DB" stats >stats
	test "$(lines stats)" -eq 1
	jqtest '.incidents==4 and
		.by_severity=={"HIGH":2,"LOW":1,"MEDIUM":0,"none":1} and
		.by_status=={"acknowledged":2,"open":1,"resolved":1} and
		.by_method=={"none":1,"rag":2,"rules":1} and
		.mtta_seconds==900 and .mttr_seconds==3600 and
		.kb.documents==0' stats
	inc-store --db "$DB" stats --since 2999-01-01 >future
	jqtest '.incidents==0 and .mtta_seconds==null' future
	inc-store --db "$DB" stats --format table >table
	grep -q '^mtta_seconds  *900.000$' table
	grep -q '^by_status.open  *1$' table
}
for_each_db t
