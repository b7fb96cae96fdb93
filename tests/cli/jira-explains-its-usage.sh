#!/bin/sh
# inc-jira -h prints its usage and exits 0; -V its version; a bad option or value names it and exits 64.
. "${0%/*}/../testlib.sh"
inc-jira -h >out
grep -q '^usage: inc-jira \[--api 2|3\] \[--min-severity LOW|MEDIUM|HIGH\]' out
inc-jira --version | grep -q '^inc-jira [0-9]'
expect_code 64 inc-jira --api 1 </dev/null 2>err
grep -q '^inc-jira: --api: 2 or 3: 1$' err
expect_code 64 inc-jira --min-severity URGENT </dev/null 2>err
grep -q '^inc-jira: --min-severity: LOW, MEDIUM or HIGH: URGENT$' err
expect_code 64 inc-jira extra </dev/null 2>err
expect_code 64 inc-jira --bogus </dev/null 2>err
grep -q '^usage: inc-jira' err
