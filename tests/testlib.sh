# testlib.sh — sourced by every tests/cli/*.sh (git's t/test-lib.sh in
# small).  Each test runs under `set -eu` in a fresh temporary directory
# that is removed on exit, with the fresh binaries first in PATH and no
# configuration from the machine it runs on.
set -eu
: "${BUILD:?run through make check}"
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
SHARED="$TOP/../shared"
TESTDIR=$(mktemp -d "${TMPDIR:-/tmp}/inc-test.XXXXXX")
# The test's own stderr, for failures inside `cmd 2>err`.
exec 9>&2
_cleanups=""
_failed=""
_on_exit() {
	rc=$?
	set +e
	# A bare command failing under set -e says nothing by itself.
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || [ -n "$_failed" ] ||
		echo "FAIL: a command exited $rc (set -e)" >&9
	eval "$_cleanups"
	cd /
	rm -rf "$TESTDIR"
	exit $rc
}
trap _on_exit EXIT
trap 'exit 143' TERM INT
cd "$TESTDIR"
PATH="$BUILD/bin:$TOP/scripts:$PATH"
INC_STATE_DIR="$TESTDIR/state"
INC_CONFIG=/dev/null
HOME="$TESTDIR"
LC_ALL=C.UTF-8
export PATH INC_STATE_DIR INC_CONFIG HOME LC_ALL
unset DATABASE_URL INC_DB INC_LOG_FORMAT INC_MAX_LINE XDG_CONFIG_HOME \
	XDG_STATE_HOME 2>/dev/null || true

# Debian's Python, for stand-in servers and JSON checks in tests.
PY=/usr/bin/python3

# when_finished CMD: run CMD when the test ends, pass or fail.
when_finished() { _cleanups="$1; $_cleanups"; }

# fail MSG: end the test as failed.
fail() { _failed=1; echo "FAIL: $*" >&9; exit 1; }

# skip REASON: end the test as skipped (exit 77).
skip() { echo "$*"; exit 77; }

# expect_code N CMD...: CMD must exit with exactly N.
expect_code() {
	_want=$1; shift
	set +e
	"$@"
	_got=$?
	set -e
	[ "$_got" -eq "$_want" ] || fail "expected exit $_want, got $_got: $*"
}

# cmp_expect EXPECT ACTUAL: the files must be equal (a diff otherwise).
cmp_expect() { diff -u "$1" "$2" || fail "$2 differs from $1"; }

# must_be_empty FILE
must_be_empty() {
	[ ! -s "$1" ] || { cat "$1" >&2; fail "$1 is not empty"; }
}

# jqtest FILTER FILE: FILTER must be true for some record of FILE
# (write `select(.id=="x") | CONDITION` to test one record).
jqtest() {
	jq -e -s "any(.[]; $1)" "$2" >/dev/null ||
		{ cat "$2" >&2; fail "jq '$1' on $2"; }
}

# lines FILE: the number of lines in FILE.
lines() { wc -l <"$1" | tr -d ' '; }

# need_shared: skip when ../shared (real payloads, runbooks) is absent.
need_shared() {
	[ -d "$SHARED/data" ] || skip "../shared/data is absent: real payloads not tested"
}

# for_each_db FN: run FN once per database backend, in a fresh directory,
# with DB set to a fresh database: SQLite, then PostgreSQL on the cluster
# that tests/run started.  Without one (INC_TEST_PG_URL unset) the test
# skips once its SQLite run has passed.
for_each_db() {
	mkdir -p "$TESTDIR/sqlite" && cd "$TESTDIR/sqlite"
	DB="sqlite:$TESTDIR/sqlite/test.db" BACKEND=sqlite
	"$1"
	[ -n "${INC_TEST_PG_URL:-}" ] ||
		skip "no PostgreSQL cluster (INC_TEST_PG_URL): SQLite only"
	mkdir -p "$TESTDIR/pg" && cd "$TESTDIR/pg"
	DB=$("$TOP/tests/pgcluster" newdb) || fail "no fresh PostgreSQL database"
	BACKEND=postgresql
	"$1"
	cd "$TESTDIR"
}

# db_sql QUERY: run QUERY on $DB with the backend's own client, values
# separated by "|", one row a line.
db_sql() {
	case $DB in
	sqlite:*) sqlite3 "${DB#sqlite:}" "$1" ;;
	*) psql -X -q -A -t "$DB" -c "$1" ;;
	esac
}

# start_stub NAME SCRIPT [ARGS...]: tests/stub/SCRIPT logging to NAME.log;
# its base URL is then in $url.
start_stub() {
	_name=$1 _script=$2
	shift 2
	rm -f "$_name.port"
	: >"$_name.log"
	"$PY" "$TOP/tests/stub/$_script" --log "$_name.log" "$@" >"$_name.port" &
	when_finished "kill $! 2>/dev/null"
	_i=0
	until [ -s "$_name.port" ]; do
		_i=$((_i + 1))
		[ $_i -le 100 ] || fail "the stand-in $_script did not start"
		sleep 0.05
	done
	url=http://127.0.0.1:$(head -n 1 "$_name.port")
}
# start_embeddings [ARGS...]: the embeddings stand-in (tests/stub/embeddings.py),
# logging each request it gets to ./log; INC_EMBED_URL points at it.
start_embeddings() {
	"$PY" "$TOP/tests/stub/embeddings.py" --log log "$@" >port &
	when_finished "kill $! 2>/dev/null"
	i=0
	until [ -s port ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "the embeddings stand-in did not start"
		sleep 0.05
	done
	INC_EMBED_URL=http://127.0.0.1:$(head -n 1 port)/v1
	export INC_EMBED_URL
}
# check_vectors FILE: each record's vector in FILE must be the embeddings
# stand-in's vector of that record's own text (title, a blank line,
# description), made unit length.
check_vectors() {
	"$PY" - "$TOP/tests/stub" "$1" <<'P' || fail "a record got another record's vector"
import base64, json, math, struct, sys
sys.path.insert(0, sys.argv[1])
from embeddings import vector
for line in open(sys.argv[2]):
    r = json.loads(line)
    e = r["embedding"]
    got = struct.unpack("<%df" % e["dim"], base64.b64decode(e["vector"]))
    text = "\n\n".join(t for t in (r.get("title"), r.get("description")) if t)
    want = vector(text, e["dim"])
    norm = math.sqrt(sum(x * x for x in want))
    assert all(abs(g - w / norm) < 1e-6 for g, w in zip(got, want)), r["id"]
P
}
# start_chat NAME [MODE...]: a chat stand-in (tests/stub/chat.py) whose
# requests are the lines of NAME.log, emptied first; its address is then
# in $chat.
start_chat() {
	_n=$1; shift
	start_stub "$_n" chat.py "$@"
	chat=$url
}

# start_httpd [ARGS]: inc-httpd on a free port of 127.0.0.1; sets URL and
# HPID (its stderr goes to httpd-PORT.err).
start_httpd() {
	inc-httpd -l 127.0.0.1:0 "$@" 2>httpd.err &
	httpd_started $!
}
# httpd_started PID: wait for the inc-httpd PID, whose stderr goes to
# httpd.err, to listen; sets PORT, URL and HPID, and stops it at the end.
httpd_started() {
	HPID=$1
	when_finished "kill $HPID 2>/dev/null; wait $HPID 2>/dev/null"
	i=0
	while ! PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' httpd.err 2>/dev/null) ||
	    [ -z "$PORT" ]; do
		[ $i -lt 100 ] || { cat httpd.err >&2; fail "inc-httpd did not start"; }
		sleep 0.05; i=$((i + 1))
	done
	URL=http://127.0.0.1:$PORT
	mv httpd.err "httpd-$PORT.err"
}
# term_wait PID: SIGTERM to PID, then wait for it; its exit status in rc.
term_wait() {
	kill -TERM "$1"
	rc=0
	wait "$1" || rc=$?
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
# start_twilio [MODE...]: the Twilio stand-in (tests/stub/twilio.py), its
# requests in twilio.log (emptied first); sets and exports TWILIO_API_URL,
# TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to match it.
start_twilio() {
	start_stub twilio twilio.py "$@"
	TWILIO_API_URL=$url
	TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef
	TWILIO_AUTH_TOKEN=test-token
	TWILIO_FROM=+15005550006
	export TWILIO_API_URL TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_FROM
}
# start_jira NAME [MODE...]: a Jira stand-in (tests/stub/jira.py) whose
# requests are the lines of NAME.log, emptied first; sets JIRA_URL, and the
# JIRA_USER, JIRA_API_TOKEN and JIRA_PROJECT it accepts (OPS), exported.
start_jira() {
	_n=$1; shift
	start_stub "$_n" jira.py "$@"
	JIRA_URL=$url
	JIRA_USER=bot@example.com JIRA_API_TOKEN=jira-test-token JIRA_PROJECT=OPS
	export JIRA_URL JIRA_USER JIRA_API_TOKEN JIRA_PROJECT
}
# hook [--forge|--unsigned] PATH?QUERY [Name=Value...]: POST a webhook to
# inc-httpd at $URL as Twilio would, signed for $INC_PUBLIC_URL with
# $TWILIO_AUTH_TOKEN (tests/stub/twilio-hook.py); the status on stdout,
# the body in "body", its Content-Type in "ctype".
hook() { "$PY" "$TOP/tests/stub/twilio-hook.py" --server "$URL" "$@"; }

# wait_for SECONDS CONDITION: evaluate CONDITION every 0.1 s until it
# holds; fail after SECONDS.
wait_for() {
	_n=$(($1 * 10)) _i=0
	until eval "$2"; do
		[ $_i -lt $_n ] || fail "not within $1 s: $2"
		sleep 0.1; _i=$((_i + 1))
	done
}
# spool_put DIR ENTRY JSON: a report into DIR/new the way inc-httpd puts
# one there (written to tmp/, then renamed).
spool_put() {
	printf '%s\n' "$3" >"$1/tmp/$2"
	mv "$1/tmp/$2" "$1/new/$2"
}
# spooled DIR: the entries the test made (named 1700...) still waiting.
spooled() { ls "$1/new" "$1/cur" | grep -c '^1700' || true; }
