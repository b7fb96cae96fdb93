#!/bin/sh
# inc-embed -h prints the usage on stdout; a mistake names the option and the rule, prints the usage on stderr and exits 64.
. "${0%/*}/../testlib.sh"
inc-embed -h >out
grep -q '^usage: inc-embed \[-q\] \[--fit\] \[--backend local|openai\]' out
grep -q '\[--strict\] \[--reject file\]$' out
inc-embed --help >out2
cmp out out2
inc-embed --version >out
grep -qx 'inc-embed [0-9][0-9.]*' out
expect_code 64 inc-embed --no-such-option </dev/null >out 2>err
grep -q '^usage: inc-embed' err
must_be_empty out
expect_code 64 inc-embed file.jsonl </dev/null >out 2>err
grep -q '^inc-embed: takes no arguments: file.jsonl$' err
expect_code 64 inc-embed --fit --backend openai </dev/null 2>err
grep -q '^inc-embed: --fit: only the local backend has a model to fit$' err
grep -q '^usage: inc-embed' err
