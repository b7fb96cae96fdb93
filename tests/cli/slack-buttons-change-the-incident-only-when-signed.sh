#!/bin/sh
# A click on Acknowledge or Resolve comes to inc-httpd at POST /api/slack/actions: correctly signed it acknowledges or resolves the incident with the Slack user in the timeline and spools it again for the pipeline; forged or stale it is refused with 401 and changes nothing; without SLACK_SIGNING_SECRET the route says it is not configured.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/stub/slack.sh"
spool=$INC_STATE_DIR/spool
printf '%s\n' '{"id":"B-1","title":"buttons","description":"db down","severity":"HIGH"}' \
	'{"id":"B-2","title":"more buttons","description":"disk full","severity":"HIGH"}' |
	inc-ingest | inc-store >/dev/null
# click ACTION ID SECRET AGE: see slack_click.
click() { slack_click "$URL/api/slack/actions" "$@"; }
status_of() { curl -s "$URL/api/v1/incidents/$1" | jq -r .status; }
entries() { ls "$spool/new" 2>/dev/null | wc -l | tr -d ' '; }

# Not configured.
start_httpd
test "$(click inc_ack B-1 s3cret 0)" = 503 || fail "$(cat body)"
jqtest '.error | contains("SLACK_SIGNING_SECRET")' body
kill "$HPID"
wait "$HPID" || true

SLACK_SIGNING_SECRET=s3cret-signing-secret
export SLACK_SIGNING_SECRET
start_httpd
n0=$(entries)
# Forged (another secret) and stale (signed six minutes ago): refused.
test "$(click inc_ack B-1 not-the-secret 0)" = 401 || fail "forged: $(cat body)"
jqtest '.error | contains("bad signature")' body
test "$(click inc_ack B-1 s3cret-signing-secret 360)" = 401 || fail "stale: $(cat body)"
jqtest '.error | contains("stale")' body
test "$(status_of B-1)" = open
test "$(inc-store events B-1 | jq -s 'map(select(.type == "acknowledged")) | length')" -eq 0
test "$(entries)" -eq "$n0" || fail "a refused click spooled something"
# Valid, four minutes old (within the window): acknowledged by alice.
test "$(click inc_ack B-1 s3cret-signing-secret 240)" = 200 || fail "valid: $(cat body)"
test "$(status_of B-1)" = acknowledged
inc-store events B-1 >events
jqtest '.type == "acknowledged" and (.actor | contains("alice"))' events
curl -s "$URL/api/v1/incidents/B-1" >got
jqtest '.acknowledged_by | contains("alice")' got
# Spooled again, for inc-slack to post the change.
test "$(entries)" -eq $((n0 + 1))
cat "$spool"/new/* >respooled
jqtest '.id == "B-1" and .status == "acknowledged"' respooled
# Resolve.
test "$(click inc_resolve B-2 s3cret-signing-secret 0)" = 200 || fail "$(cat body)"
curl -s "$URL/api/v1/incidents/B-2" >got
jqtest '.status == "resolved" and .resolution == "resolved in Slack by alice"' got
inc-store events B-2 | jq -s . >events2
jq -e 'any(.[]; .type == "resolved" and (.actor | contains("alice")))' events2 >/dev/null ||
	fail "$(cat events2)"
# Signed but not ours: an unknown incident, another action.
test "$(click inc_ack NOPE-1 s3cret-signing-secret 0)" = 404 || { cat httpd.err >&2; fail "unknown incident"; }
test "$(click other_action B-1 s3cret-signing-secret 0)" = 400
# Slack is not asked for the API's bearer token: its signature is its
# credential.
h=$(printf 'secret-api-token' | sha256sum | cut -d' ' -f1)
echo "$h" >tokens
kill "$HPID"
wait "$HPID" || true
INC_API_TOKENS_FILE=$PWD/tokens start_httpd
test "$(curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/incidents/B-1")" = 401
test "$(click inc_resolve B-1 s3cret-signing-secret 0)" = 200 || fail "$(cat body)"
test "$(inc-store get B-1 | jq -r .status)" = resolved
