# slack.sh: sourced by tests/cli/slack-*.sh after testlib.sh.  Nothing of
# the machine's own Slack settings reaches a test.
unset SLACK_BOT_TOKEN SLACK_API_URL SLACK_SIGNING_SECRET INC_SLACK_INVITE \
	INC_SLACK_ANNOUNCE_CHANNEL INC_SLACK_MIN_SEVERITY INC_SLACK_CONCURRENCY \
	INC_SLACK_TIMEOUT_MS INC_SLACK_ATTEMPTS INC_SLACK_MESSAGE \
	INC_SLACK_UPDATE INC_SLACK_ANNOUNCE 2>/dev/null || true

# start_slack [ARGS...]: the Slack stand-in (tests/stub/slack.py), its
# requests the lines of slack.log (emptied first); SLACK_API_URL and a
# bot token then point at it, and $slack is its address.
start_slack() {
	start_stub slack slack.py "$@"
	slack=$url
	SLACK_API_URL=$slack/api
	SLACK_BOT_TOKEN=xoxb-test-secret-token
	export SLACK_API_URL SLACK_BOT_TOKEN
}

# calls METHOD: how many requests for METHOD the stand-in answered.
calls() { jq -s --arg m "$1" 'map(select(.api == $m)) | length' slack.log; }

# slack_state: the stand-in's workspace, into state.json.
slack_state() { curl -s "$slack/_state" >state.json; }

# slack_click URL ACTION ID SECRET AGE: what Slack sends when someone
# (alice, U0ALICE) clicks the button ACTION (inc_ack, inc_resolve) of
# incident ID's message: a block_actions form POSTed to URL, signed with
# SECRET (protocols.md §1.7) AGE seconds ago.  The status on stdout, the
# answer in ./body.
slack_click() {
	"$PY" - "$2" "$3" "$4" "$5" >click.req <<'PY'
import hashlib, hmac, json, sys, time, urllib.parse
action, iid, secret, age = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
payload = {"type": "block_actions", "team": {"id": "T0STUB"},
           "user": {"id": "U0ALICE", "username": "alice", "name": "alice"},
           "channel": {"id": "C00000001", "name": "incident-x"},
           "message": {"ts": "1795754302.000001"},
           "actions": [{"type": "button", "action_id": action, "value": iid,
                        "block_id": "inc_actions", "action_ts": "1795754400.1"}]}
body = "payload=" + urllib.parse.quote(json.dumps(payload), safe="")
ts = str(int(time.time()) - age)
sig = "v0=" + hmac.new(secret.encode(), ("v0:%s:%s" % (ts, body)).encode(),
                       hashlib.sha256).hexdigest()
print(ts); print(sig); print(body)
PY
	curl -s -o body -w '%{http_code}' -X POST \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		-H "X-Slack-Request-Timestamp: $(sed -n 1p click.req)" \
		-H "X-Slack-Signature: $(sed -n 2p click.req)" \
		--data-binary "$(sed -n 3p click.req)" "$1"
}
