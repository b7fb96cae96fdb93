#!/bin/sh
# Where /proc is not mounted (a bare container), inc-httpd cannot link its unnamed tmp/ file into new/ and writes a named one instead: the reports still land whole in new/, nothing is left in tmp/, and a re-post is still recognised.
. "${0%/*}/../testlib.sh"
spool=$INC_STATE_DIR/spool
# A mount namespace of its own with an empty file system over /proc.
unshare -m --propagation private true 2>/dev/null ||
	skip "no mount namespaces here (unshare -m needs root)"
unshare -m --propagation private sh -c \
    'mount -t tmpfs none /proc && exec inc-httpd -l 127.0.0.1:0' 2>httpd.err &
httpd_started $!
nsenter -t "$HPID" -m test ! -e /proc/self ||
	fail "/proc is still visible to inc-httpd"
for n in 1 2 3; do
	code=$(post /api/v1/incidents "{\"id\":\"INC-P-$n\",\"description\":\"disk full on web-$n\"}")
	test "$code" = 202 || { cat body; fail "POST $n answered $code"; }
done
test "$(cat "$spool/new/"* | jq -s 'map(.id) | sort | join(",")' -r)" = \
    "INC-P-1,INC-P-2,INC-P-3"
test -z "$(ls "$spool/tmp")" || fail "left in tmp/: $(ls "$spool/tmp")"
code=$(post /api/v1/incidents '{"id":"INC-P-2","description":"disk full on web-2"}')
test "$code" = 202
test "$(cat "$spool/new/"* | wc -l)" -eq 3
