# sttlib.sh — what the tests of inc-stt share, sourced after testlib.sh:
# speech made at test time with flite and sox, and the stand-in servers.

# The sentence most tests say: every voice and rate of bench/stt hears it.
SAID="the primary database is down and failover did not happen"

# need_speech: skip unless flite, sox and pocketsphinx's model are here.
need_speech() {
	for _t in flite sox; do
		command -v $_t >/dev/null 2>&1 ||
			skip "$_t is not installed (scripts/install-deps installs it)"
	done
	[ -r /usr/share/pocketsphinx/model/en-us/en-us/mdef ] ||
		skip "pocketsphinx-en-us is not installed (scripts/install-deps installs it)"
}

# say VOICE TEXT FILE [SOX-OUTPUT-OPTIONS...]: FILE is TEXT spoken by
# flite's VOICE (rms, slt), converted by sox (-r 8000 -e u-law, -c 2 ...)
# with the same dither every time (-R), so that a test hears what it heard.
say() {
	_v=$1 _t=$2 _f=$3
	shift 3
	flite -voice "$_v" -t "$_t" -o "$TESTDIR/.flite.wav"
	sox -R "$TESTDIR/.flite.wav" "$@" "$_f"
}

# has_words FILE WORD...: the description of every record of FILE holds
# each WORD (speech is tested by its key words, not word for word).
has_words() {
	_f=$1
	shift
	for _w; do
		jq -e -s --arg w "$_w" \
		    'all(.[]; (.description // "") | test("\\b" + $w + "\\b"))' \
		    "$_f" >/dev/null || { cat "$_f" >&2; fail "no \"$_w\" in $_f"; }
	done
}

