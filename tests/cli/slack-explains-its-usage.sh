#!/bin/sh
# inc-slack -h prints its usage on stdout and exits 0; a wrong option or an argument prints it on stderr and exits 64; -V prints the version.
. "${0%/*}/../testlib.sh"
inc-slack -h >out
grep -q '^usage: inc-slack \[--min-severity LOW|MEDIUM|HIGH\]' out
inc-slack --help >out2
cmp_expect out out2
inc-slack -V | grep -q '^inc-slack [0-9]'
expect_code 64 inc-slack --bogus </dev/null >/dev/null 2>err
grep -q '^usage: inc-slack' err
expect_code 64 inc-slack file </dev/null >/dev/null 2>err
grep -q '^inc-slack: takes no arguments: file$' err
# A malformed line is reported and not passed on.
printf '{"id":"M-1","severity":"LOW"}\nnot json\n' | expect_code 65 inc-slack >out 2>err
test "$(lines out)" -eq 1
grep -q '^inc-slack: line 2: ' err
