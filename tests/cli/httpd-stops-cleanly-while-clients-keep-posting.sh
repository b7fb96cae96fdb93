#!/bin/sh
# SIGTERM while clients keep posting on keep-alive connections: inc-httpd answers what it took, refuses the rest with 503, exits 0, and every report it answered 202 is in the spool exactly once.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
start_httpd
hp=$!
for i in $(seq 3000); do
	printf 'url = "%s/api/v1/incidents?n=%s"\n' "$URL" "$i"
	printf 'data-binary = "{\\"id\\":\\"INC-S-%s\\",\\"description\\":\\"cpu high on web-%s\\"}"\n' \
	    "$i" "$i"
	printf 'header = "Content-Type: application/json"\noutput = "/dev/null"\n'
	printf 'write-out = "%%{http_code} %%{url_effective}\\n"\n'
	[ "$i" -eq 3000 ] || echo next
done >posts.conf
: >answers
curl -s --no-progress-meter --parallel --parallel-max 16 -K posts.conf \
    >answers 2>/dev/null &
cp=$!
# Stop it once a few hundred answers are in, while the rest are coming.
wait_for 20 '[ "$(wc -l <answers)" -ge 300 ]'
term_wait "$hp"
test "$rc" -eq 0 || fail "inc-httpd exited $rc on SIGTERM under load"
wait "$cp" || true
# 202 or 503 from the server; 000 only for connections it no longer took.
bad=$(awk '$1 != 202 && $1 != 503 && $1 != "000"' answers | head -n 3)
test -z "$bad" || fail "unexpected answers: $bad"
sed -n 's/^202 .*n=\([0-9]*\)$/INC-S-\1/p' answers | sort >accepted
test -s accepted || fail "no report was accepted before the stop"
cat "$spool"/new/* | jq -r .id | sort >spooled
# Every 202 is in the spool once (a report in flight when the answers
# stopped may be there without its 202 having been seen).
comm -23 accepted spooled >missing
test ! -s missing || fail "answered 202 but not spooled: $(head -n 3 missing)"
test -z "$(sort spooled | uniq -d)" || fail "a report spooled twice"
test -z "$(ls "$spool/tmp")"
