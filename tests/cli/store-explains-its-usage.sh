#!/bin/sh
# inc-store -h prints the usage on stdout; a mistake names the option and
# the rule, prints the usage on stderr and exits 64.
. "${0%/*}/../testlib.sh"

inc-store -h >out
grep -q '^usage: inc-store ' out
grep -q 'inc-store \[-d url\] resolve id --resolution text' out
inc-store --version >out
grep -qx 'inc-store [0-9][0-9.]*' out
expect_code 64 inc-store --no-such-option 2>err
grep -q '^usage: inc-store' err
expect_code 64 inc-store frobnicate 2>err
grep -q '^inc-store: frobnicate: unknown command$' err
expect_code 64 inc-store get 2>err
grep -q '^inc-store: get: takes one id$' err
expect_code 64 inc-store get 'a b' 2>err
grep -q 'not a valid incident id' err
expect_code 64 inc-store --kb list 2>err
grep -q '^inc-store: --kb: not an option of list$' err
expect_code 64 inc-store --status open 2>err
grep -q '^inc-store: --status: not an option of filter mode$' err
expect_code 64 inc-store list --limit 0 2>err
grep -q '^inc-store: --limit: must be a positive number$' err
expect_code 64 inc-store -n ack x 2>err
grep -q 'dry-run: only in filter mode' err
