#!/bin/sh
# inc-embed replaces an embedding the record already had, leaving exactly one.
. "${0%/*}/../testlib.sh"
printf '%s\n' \
 '{"id":"r-1","title":"db-01 disk full","embedding":{"model":"old","dim":2,"vector":"AACAPwAAAEA="},"after":1}' \
 '{"id":"r-2","embedding":"junk","title":"dns lookups fail"}' \
 '{"id":"r-3","title":"db-01 disk full"}' >in
for run in "inc-embed" "env INC_BULK_PATH=0 inc-embed" "inc-embed --format array"; do
	$run <in >out
	# One embedding key per line, the text as it was sent.
	test "$(grep -o '"embedding":' out | wc -l)" -eq 3 || fail "$run: $(cat out)"
	jq -e -s 'all(.[]; .embedding.model == "fh1-d384-w2-c34-noidf" and
		.embedding.dim == 384 and .errors == null)' out >/dev/null ||
		fail "$run: an old embedding survived: $(cat out)"
	jqtest 'select(.id=="r-1") | .after == 1' out
	# The new vector is the vector of the text, whatever was there before.
	test "$(sed -n 1p out | jq -c .embedding)" = "$(sed -n 3p out | jq -c .embedding)"
done
# Embedding twice gives what embedding once does.
inc-embed <in >once
inc-embed <once >twice
cmp once twice || test "$(jq -c -S . once)" = "$(jq -c -S . twice)" ||
	fail "a second pass changed the records"
