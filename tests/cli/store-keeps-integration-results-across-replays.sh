#!/bin/sh
# A replayed report carries no slack, jira or call key; the stored ones
# are kept so the integration stages see what they already made.  A key
# the record does carry replaces the stored one.
. "${0%/*}/../testlib.sh"

t() {
	for bulk in 1 0; do
		id=keep-$bulk
		printf '{"id":"%s","title":"disk full"}\n' $id |
			INC_BULK_PATH=$bulk inc-store --db "$DB" >/dev/null
		printf '{"id":"%s","title":"disk full","slack":{"channel_id":"C1","ts":"1.2"},"jira":{"key":"OPS-1"},"call":{"sid":"CA1","step":0}}\n' $id |
			INC_BULK_PATH=$bulk inc-store --db "$DB" >/dev/null
		# The replay, as inc-ingest makes it again from the spool.
		printf '{"id":"%s","title":"disk full"}\n' $id |
			INC_BULK_PATH=$bulk inc-store --db "$DB" >out
		jqtest '.slack.channel_id=="C1" and .slack.ts=="1.2" and
			.jira.key=="OPS-1" and .call.sid=="CA1"' out
		inc-store --db "$DB" get $id >out
		jqtest '.slack.channel_id=="C1" and .jira.key=="OPS-1"' out
		# A newer result wins.
		printf '{"id":"%s","title":"disk full","slack":{"channel_id":"C1","ts":"1.2","status":"acknowledged"}}\n' $id |
			INC_BULK_PATH=$bulk inc-store --db "$DB" >out
		jqtest '.slack.status=="acknowledged" and .jira.key=="OPS-1"' out
	done
}
for_each_db t
