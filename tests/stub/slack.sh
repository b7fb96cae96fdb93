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
	rm -f slack.port
	: >slack.log
	"$PY" "$TOP/tests/stub/slack.py" --log slack.log "$@" >slack.port &
	when_finished "kill $! 2>/dev/null"
	_i=0
	until [ -s slack.port ]; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "the Slack stand-in did not start"
		sleep 0.05
	done
	slack=http://127.0.0.1:$(head -n 1 slack.port)
	SLACK_API_URL=$slack/api
	SLACK_BOT_TOKEN=xoxb-test-secret-token
	export SLACK_API_URL SLACK_BOT_TOKEN
}

# calls METHOD: how many requests for METHOD the stand-in answered.
calls() { jq -s --arg m "$1" 'map(select(.api == $m)) | length' slack.log; }

# slack_state: the stand-in's workspace, into state.json.
slack_state() { curl -s "$slack/_state" >state.json; }
