#!/bin/sh
# A long-running inc-match notices a document added to the knowledge base (SQLite or PostgreSQL) and finds it for the next record, without a restart.
. "${0%/*}/../testlib.sh"

# wait_lines FILE N: wait up to 10 s for FILE to hold N lines.
wait_lines() {
	i=0
	while [ "$(lines "$1" 2>/dev/null || echo 0)" -lt "$2" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(lines "$1")" -ge "$2" ] || fail "$1: no line $2 within 10 s"
}

t() {
	inc-ingest --kb "$TOP/share/inc/kb" | inc-embed --fit |
		inc-store --db "$DB" --kb >/dev/null
	n=$(inc-store --db "$DB" stats | jq .kb.documents)
	rm -f fifo out
	mkfifo fifo
	inc-match --db "$DB" -k 3 >out 2>err <fifo &
	pid=$!
	exec 3>fifo
	when_finished "kill $pid 2>/dev/null"
	echo '{"id":"r-1","title":"disk full on db-01"}' | inc-embed >&3
	wait_lines out 1
	jqtest ".match.index_size == $n and .matches[0].id == \"kb-disk-full\"" out

	# A new runbook, through the same pipe as the rest; the model fitted
	# above is in the state dir, so it gets the same model id.
	echo '{"id":"kb-quokka","title":"Quokka ledger reconciliation stalled","description":"The quokka ledger reconciler stopped advancing its watermark","resolution":"restart the quokka reconciler","severity":"LOW"}' |
		inc-ingest --kb | inc-embed | inc-store --db "$DB" --kb >stored
	jqtest '.id == "kb-quokka" and (.errors | not)' stored
	test "$(jq -r .embedding.model stored)" = \
		"$(inc-store --db "$DB" get kb-disk-full | jq -r .embedding.model)"
	sleep 1.5

	echo '{"id":"r-2","title":"Quokka ledger reconciliation stalled","description":"The quokka ledger reconciler stopped advancing its watermark"}' |
		inc-embed >&3
	wait_lines out 2
	kill -0 $pid || fail "inc-match is gone"
	sed -n 2p out >second
	jqtest ".match.index_size == $((n + 1))" second
	jqtest '.matches[0].id == "kb-quokka" and .matches[0].score > 0.999 and
		.matches[0].resolution == "restart the quokka reconciler"' second

	# And again for a change of a document's resolution.
	echo '{"id":"kb-quokka","title":"Quokka ledger reconciliation stalled","description":"The quokka ledger reconciler stopped advancing its watermark","resolution":"feed the quokka","severity":"LOW"}' |
		inc-ingest --kb | inc-embed | inc-store --db "$DB" --kb >/dev/null
	sleep 1.5
	echo '{"id":"r-3","title":"Quokka ledger reconciliation stalled","description":"The quokka ledger reconciler stopped advancing its watermark"}' |
		inc-embed >&3
	wait_lines out 3
	sed -n 3p out >third
	jqtest '.matches[0].id == "kb-quokka" and
		.matches[0].resolution == "feed the quokka"' third
	exec 3>&-
	wait $pid
	must_be_empty err
}
for_each_db t
