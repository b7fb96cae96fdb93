#!/bin/sh
# Reports posted at once share spool entries but each lands exactly once, with one spool writer or two; a writer count out of range is refused.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
# curl's own parallel transfers: 100 reports, 25 in flight at a time.
for i in $(seq 100); do
	printf 'url = "%s"\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
	    "/api/v1/incidents"
	printf 'data-binary = "{\\"id\\":\\"INC-T-%s\\",\\"description\\":\\"disk full on web-%s\\"}"\n' \
	    "$i" "$i"
	printf 'header = "Content-Type: application/json"\n'
	[ "$i" -eq 100 ] || echo next
done >posts.conf
for writers in 1 2; do
	rm -rf "$spool"
	INC_SPOOL_WRITERS=$writers start_httpd
	hp=$!
	sed "s|^url = \"|url = \"$URL|" posts.conf >posts.$writers.conf
	curl -s --no-progress-meter --parallel --parallel-max 25 -K posts.$writers.conf >codes
	test "$(grep -c '^202$' codes)" -eq 100 ||
	    { sort codes | uniq -c; fail "not every report got 202 ($writers writers)"; }
	# Each id once, in an entry whole in new/; tmp/ empty.
	cat "$spool"/new/* | jq -r .id | sort >ids
	seq 100 | sed 's/^/INC-T-/' | sort >want
	cmp want ids || fail "ids in the spool differ ($writers writers)"
	test -z "$(ls "$spool/tmp")"
	entries=$(ls "$spool/new" | wc -l)
	test "$entries" -ge 1 && test "$entries" -le 100
	# The status route finds each through the spool index.
	test "$(req GET /api/v1/incidents/INC-T-77/status)" = 200
	jqtest '.status == "queued"' body
	kill "$hp" && wait "$hp" || true
done
expect_code 78 env INC_SPOOL_WRITERS=0 inc-httpd -l 127.0.0.1:0 2>err
grep -q 'INC_SPOOL_WRITERS' err ||
	{ cat err; fail "no reason given for the refused writer count"; }
