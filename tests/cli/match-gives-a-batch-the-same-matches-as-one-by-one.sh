#!/bin/sh
# inc-match gives each of many records read at once (500, searched in batches) the same matches as it gives that record alone, in input order.
. "${0%/*}/../testlib.sh"
inc-ingest --kb "$TOP/share/inc/kb" >kb
inc-embed --fit <kb | inc-store --kb >/dev/null
# 100 different reports: each runbook's title, and its description.
{
	jq -c '{id: ("t-" + .id), title}' kb
	jq -c '{id: ("d-" + .id), description}' kb
} | inc-embed >base
test "$(lines base)" -eq 100
# Alone: one inc-match per record.
while read -r line; do
	printf '%s\n' "$line" | inc-match -k 7
done <base | jq -c '{id, matches}' >alone
test "$(lines alone)" -eq 100
# Together: the 100 five times over, under ids of their own.
for i in 1 2 3 4 5; do
	jq -c --arg i "$i" '.id = $i + ":" + .id' base
done >many
test "$(lines many)" -eq 500
for path in 1 0; do
	INC_BULK_PATH=$path inc-match -k 7 <many >out 2>err
	must_be_empty err
	test "$(lines out)" -eq 500
	# In order, none lost, none twice.
	jq -r .id many >want_ids
	jq -r .id out >got_ids
	cmp_expect want_ids got_ids
	for i in 1 2 3 4 5; do
		jq -c --arg i "$i" 'select(.id | startswith($i + ":")) |
			{id: (.id | ltrimstr($i + ":")), matches}' out >part
		cmp_expect alone part
	done
done
