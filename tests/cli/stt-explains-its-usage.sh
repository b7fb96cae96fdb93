#!/bin/sh
# inc-stt prints its usage for -h, its version for -V, and refuses bad options with exit 64.
. "${0%/*}/../testlib.sh"
inc-stt -h >out
grep -q '^usage: inc-stt ' out
inc-stt -V | grep -q '^inc-stt [0-9]'
expect_code 64 inc-stt --engine whisper 2>err
grep -q 'inc-stt: --engine: local or google: whisper' err
expect_code 64 inc-stt --no-such-option 2>err
grep -q '^usage: inc-stt' err
expect_code 64 inc-stt --build-lm x.wav 2>err
expect_code 78 env INC_STT_ENGINE=cloud inc-stt </dev/null 2>err
grep -q 'INC_STT_ENGINE' err
# Google chosen without a key or token is a configuration error.
expect_code 78 inc-stt --engine google </dev/null 2>err
grep -q 'GOOGLE_API_KEY' err
