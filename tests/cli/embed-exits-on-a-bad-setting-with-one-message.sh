#!/bin/sh
# inc-embed exits 78 (73 for a reject file it cannot open) with one line on stderr naming what is wrong when a setting is bad, and writes nothing.
. "${0%/*}/../testlib.sh"
echo '{"id":"c-1","title":"db-01 disk full"}' >in
echo 'not a model' >junk
# try CODE MESSAGE CMD...: CMD exits CODE and says exactly MESSAGE.
try() {
	_code=$1 _msg=$2
	shift 2
	expect_code "$_code" "$@" <in >out 2>err
	must_be_empty out
	printf '%s\n' "$_msg" >want
	# One line: under ASan a leak report after it would fail here too.
	cmp_expect want err
}
try 78 'inc-embed: INC_EMBED_DIM: must be a number in 8..4096' \
	env INC_EMBED_DIM=5000 inc-embed
try 78 'inc-embed: junk: not an inc embedding model' \
	inc-embed --model-file junk
try 78 'inc-embed: junk: not an inc embedding model' \
	env INC_EMBED_MODEL_FILE=junk inc-embed
try 78 'inc-embed: INC_EMBED_URL: not an http(s) URL' \
	env INC_EMBED_URL=ftp://example.com/v1 inc-embed --backend openai
try 78 'inc-embed: INC_EMBED_CONCURRENCY: must be a number in 1..64' \
	env INC_EMBED_CONCURRENCY=0 inc-embed --backend openai
try 78 'inc-embed: INC_EMBED_ATTEMPTS: must be a number in 1..20' \
	env INC_EMBED_ATTEMPTS=0 inc-embed --backend openai
try 73 "inc-embed: $PWD/no/such/dir/rej: No such file or directory" \
	inc-embed --reject "$PWD/no/such/dir/rej"
