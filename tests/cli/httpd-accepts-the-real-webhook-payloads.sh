#!/bin/sh
# inc-httpd accepts each real Alertmanager and Grafana webhook payload on its route, and inc-ingest makes one record per alert of the spooled bodies.
. "${0%/*}/../testlib.sh"
# start_httpd [ARGS]: inc-httpd on a free port of 127.0.0.1; sets URL
# (its stderr goes to httpd.err).
start_httpd() {
	inc-httpd -l 127.0.0.1:0 "$@" 2>httpd.err &
	when_finished "kill $! 2>/dev/null; wait $! 2>/dev/null"
	i=0
	while ! PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' httpd.err) ||
	    [ -z "$PORT" ]; do
		[ $i -lt 100 ] || { cat httpd.err >&2; fail "inc-httpd did not start"; }
		sleep 0.05; i=$((i + 1))
	done
	URL=http://127.0.0.1:$PORT
	mv httpd.err "httpd-$PORT.err"
}
# req METHOD PATH [CURL ARGS]: the status on stdout, the body in "body".
req() {
	_m=$1 _p=$2; shift 2
	curl -s -o body -w '%{http_code}' -X "$_m" "$@" "$URL$_p"
}
# post PATH JSON: POST JSON as application/json.
post() {
	req POST "$1" -H 'Content-Type: application/json' --data-binary "$2"
}
need_shared
spool=$INC_STATE_DIR/spool
start_httpd
want=0
for f in "$SHARED"/data/webhook-payloads/*.json; do
	case ${f##*/} in
	grafana*|oncall_grafana*) route=grafana ;;
	*) route=alertmanager ;;
	esac
	code=$(req POST /api/v1/alerts/$route -H 'Content-Type: application/json' --data-binary @"$f")
	test "$code" = 202 || { cat body >&2; fail "${f##*/} on $route: $code"; }
	n=$(jq -r .alerts body)
	test "$n" -gt 0
	want=$((want + n))
done
test "$(ls "$spool/new" | wc -l)" -eq "$(ls "$SHARED"/data/webhook-payloads/*.json | wc -l)"
# A pre-8 Grafana body is not Alertmanager's.
code=$(req POST /api/v1/alerts/alertmanager -H 'Content-Type: application/json' \
	--data-binary @"$SHARED/data/webhook-payloads/grafana_docs_webhook_notifier_example.json")
test "$code" = 400
inc-ingest --spool "$spool" >recs
test "$(lines recs)" -eq "$want"
test "$want" -ge 19
test "$(jq -r .ingest.format recs | sort -u | tr '\n' ' ')" = "alertmanager grafana "
test -z "$(ls "$spool/new")"
test -z "$(ls "$spool/bad")"
