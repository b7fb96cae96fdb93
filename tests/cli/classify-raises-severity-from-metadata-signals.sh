#!/bin/sh
# inc-classify's rules route heeds metadata: an alert's severity label overrides the text rule, production raises to at least MEDIUM, affected_users raises to MEDIUM from 100 and HIGH from 1000.
. "${0%/*}/../testlib.sh"
# Nothing from the machine's own keys, addresses, prices or routes.
unset GROQ_API_KEY GROQ_BASE_URL GROQ_MODEL GROQ_PRICE_INPUT GROQ_PRICE_OUTPUT \
	OPENAI_API_KEY OPENAI_BASE_URL OPENAI_MODEL OPENAI_PRICE_INPUT \
	OPENAI_PRICE_OUTPUT INC_RAG_THRESHOLD INC_CLASSIFY_RULES \
	INC_LLM_TIMEOUT_MS INC_LLM_ATTEMPTS INC_LLM_CONCURRENCY 2>/dev/null || true
# Disks are HIGH, the rest LOW.
printf '%s\n' 'HIGH 0.9 disk' 'LOW 0.5 .' >rules
# rec ID TITLE METADATA
rec() { printf '{"id":"%s","title":"%s","metadata":%s}\n' "$1" "$2" "$3"; }
al() { printf '{"alert":{"labels":{"alertname":"X","severity":"%s"}}}' "$1"; }
{
	rec plain "minor thing" '{}'
	rec critical "minor thing" "$(al critical)"
	rec page "minor thing" "$(al page)"
	rec error "minor thing" "$(al error)"
	rec warning "minor thing" "$(al warning)"
	rec info "minor thing" "$(al info)"
	rec none "minor thing" "$(al none)"
	rec info-disk "disk full" "$(al info)"
	rec meta-sev "minor thing" '{"severity":"warning"}'
	rec env "minor thing" '{"environment":"production"}'
	rec env-prod "minor thing" '{"env":"prod"}'
	rec label-env "minor thing" '{"alert":{"labels":{"environment":"production"}}}'
	rec label-env2 "minor thing" '{"alert":{"labels":{"env":"prod"}}}'
	rec staging "minor thing" '{"environment":"staging"}'
	rec env-high "disk full" '{"environment":"production"}'
	rec info-prod "minor thing" '{"alert":{"labels":{"severity":"info","environment":"production"}}}'
	rec users-99 "minor thing" '{"affected_users":99}'
	rec users-150 "minor thing" '{"affected_users":150}'
	rec users-1000 "minor thing" '{"affected_users":1000}'
	rec users-5000 "minor thing" '{"affected_users":5000}'
	rec users-str "minor thing" '{"affected_users":"5000"}'
	rec users-disk "disk full" '{"affected_users":150}'
} >in
inc-classify --rules rules <in >out 2>err
must_be_empty err
# The confidence is shown where a severity label decided (0.85 or 0.75).
jq -r '"\(.id) \(.severity)" + if (.metadata.alert.labels.severity //
	.metadata.severity) then " \(.classification.confidence)" else "" end' \
	out >got
cat >want <<'E'
plain LOW
critical HIGH 0.85
page HIGH 0.85
error HIGH 0.85
warning MEDIUM 0.75
info LOW 0.75
none LOW 0.75
info-disk LOW 0.75
meta-sev MEDIUM 0.75
env MEDIUM
env-prod MEDIUM
label-env MEDIUM
label-env2 MEDIUM
staging LOW
env-high HIGH
info-prod MEDIUM 0.75
users-99 LOW
users-150 MEDIUM
users-1000 HIGH
users-5000 HIGH
users-str LOW
users-disk HIGH
E
cmp_expect want got
jq -e -s 'all(.[]; .classification.method == "rules" and
	.classification.severity == .severity and .errors == null)' out >/dev/null
# The reason names the signal that decided.
jqtest 'select(.id=="critical") | .classification.reason | test("severity")' out
jqtest 'select(.id=="env") | .classification.reason | test("environment|production")' out
jqtest 'select(.id=="users-5000") | .classification.reason | test("affected")' out
# A real Alertmanager webhook through inc-ingest: its label is "warning".
inc-ingest "$TOP/share/inc/samples/alertmanager.json" >am
jq -e '.metadata.alert.labels.severity == "warning"' am >/dev/null
inc-classify --rules rules <am >out2
jqtest '.severity == "MEDIUM" and .classification.confidence == 0.75' out2
