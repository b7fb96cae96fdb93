#!/bin/sh
# inc-httpd accepts each real Alertmanager and Grafana webhook payload on its route, and inc-ingest makes one record per alert of the spooled bodies.
. "${0%/*}/../testlib.sh"
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
