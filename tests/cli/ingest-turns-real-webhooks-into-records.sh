#!/bin/sh
# inc-ingest turns every real Alertmanager and Grafana payload in ../shared into the right records, one per alert.
. "${0%/*}/../testlib.sh"
need_shared
P="$SHARED/data/webhook-payloads"
# file  records  format  status  first-id
while read -r f n fmt st id; do
	inc-ingest "$P/$f" >out 2>err || fail "$f: exit $? $(cat err)"
	must_be_empty err
	test "$(lines out)" -eq "$n" || fail "$f: $(lines out) records, want $n"
	jqtest "select(.id==\"$id\")" out
	test "$(jq -r .ingest.format out | sort -u)" = "$fmt" || fail "$f: format"
	test "$(jq -r .metadata.alert.status out | sort -u)" = "$st" || fail "$f: status"
	# Every record has text, a source, and the alert's labels kept.
	jqtest '(.description|length) > 0 and (.source=="alertmanager" or .source=="grafana") and (.metadata.alert.labels|type)=="object"' out
	jq -e -s 'all(.[]; .kind=="incident" and (.id|test("^[A-Za-z0-9._:-]{1,128}$")))' out >/dev/null || fail "$f: ids"
done <<'T'
alertmanager-bot_firing.json 1 alertmanager firing am-88cbf0084cf27726-20181104T214358.283995Z
alertmanager-bot_resolved.json 1 alertmanager resolved am-88cbf0084cf27726-20181104T214358.283995Z
alertmanager_notify_exec_testdata_success.json 1 alertmanager firing am-4ea129fd903f0e45-19700101T000000.000000Z
alertmonitor_testing_firing.json 3 alertmanager firing am-4a110cc8dbe76532-20190927T162756.612666Z
alertmonitor_testing_resolved.json 3 alertmanager resolved am-4a110cc8dbe76532-20190927T162756.612666Z
grafana_docs_webhook_notifier_example.json 2 grafana firing grafana-c6eadffa33fcdf37-20211012T075103.157076Z
oncall_alertmanager__example_payload.json 2 alertmanager firing am-f404ecabc8dd5cd7-20230612T082438.326000Z
oncall_grafana__example_payload.json 1 alertmanager firing am-e2dedea67f9f1c2a-20181225T154747.377363Z
oncall_grafana_alerting__example_payload.json 3 alertmanager firing am-39f38c0611ee7abd-20230612T082438.326000Z
oncall_legacy_alertmanager__example_payload.json 1 alertmanager firing am-3eceaa8fe3d86a5c-20181225T154747.377363Z
prometheus-msteams_prom_post_request.json 1 alertmanager firing am-b29784719d6a11e6-20180307T113321.873077Z
T
# Firing and resolved notices of one alert share its id: the second updates the first.
inc-ingest "$P/alertmanager-bot_firing.json" "$P/alertmanager-bot_resolved.json" | jq -r .id | sort -u >ids
test "$(lines ids)" -eq 1
# Details that must survive: annotations, times in UTC, Grafana's values, the group.
inc-ingest "$P/prometheus-msteams_prom_post_request.json" >out
jqtest '.title=="Server High Memory usage" and .type=="high_memory_load" and .reported_at=="2018-03-07T11:33:21.873077Z" and .metadata.alert.labels.instance=="instance-with-hyphen_and_underscore" and .metadata.receiver=="teams_proxy" and (.metadata.alert|has("endsAt")|not)' out
inc-ingest "$P/grafana_docs_webhook_notifier_example.json" >out
jqtest 'select(.id|startswith("grafana-c6ea")) | .metadata.alert.values.B > 44 and .metadata.orgId==1 and .metadata.alert.annotations.runbook_url=="https://myrunbook.com/runbook/1234"' out
inc-ingest "$P/alertmanager-bot_resolved.json" >out
jqtest '.metadata.alert.endsAt=="2018-11-04T21:48:13.283995Z"' out
# The fingerprint computed for a sender that sends none matches Alertmanager's (FNV-1a over sorted labels).
printf '%s' '{"version":"4","status":"firing","receiver":"r","alerts":[{"labels":{"alertname":"A"},"annotations":{"summary":"s"},"startsAt":"2024-01-01T00:00:00Z"}]}' | inc-ingest >out
jqtest '.metadata.alert.fingerprint=="'"$($PY -c '
h=0xcbf29ce484222325
for b in b"alertname\xffA\xff":
    h^=b; h=(h*0x100000001b3)&0xffffffffffffffff
print("%016x"%h)')"'"' out
# The schema page beside the payloads is prose, not a payload: it is read as text.
inc-ingest "$P/alertmanager_docs_webhook_config_schema.md" >out
jq -e -s 'all(.[]; .ingest.format=="text")' out >/dev/null
# Grafana before unified alerting: one record per rule, resolved by its "ok".
echo '{"title":"[Alerting] CPU","ruleId":7,"ruleName":"CPU","state":"alerting","message":"CPU high","evalMatches":[]}' | inc-ingest >a
echo '{"title":"[OK] CPU","ruleId":7,"ruleName":"CPU","state":"ok","message":"CPU fine","evalMatches":[]}' | inc-ingest >b
jqtest '.id=="grafana-rule-7" and .metadata.alert.status=="firing" and .ingest.format=="grafana-legacy"' a
jqtest '.id=="grafana-rule-7" and .metadata.alert.status=="resolved"' b
# An empty alert list is an error, not silence.
echo '{"version":"4","receiver":"r","status":"firing","alerts":[]}' | expect_code 65 inc-ingest >out 2>err
grep -q 'alertmanager payload has no alerts' err
