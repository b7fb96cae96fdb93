#!/bin/sh
# inc-stt hears the domain model mixed with the generic one by the share INC_STT_GENERIC_WEIGHT gives it: 0 is the domain model alone, any other share reads the generic model too, and a share out of 0..1 is refused.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
say rms "$SAID" rms.wav -r 16000
# The default mix hears the sentence.
inc-stt rms.wav >out 2>err
has_words out primary database down failover
jqtest '(has("errors")|not) and .stt.model=="domain"' out
# Models whose generic model is not a model: only a mix reads it (and no
# common words, which come from it too).
m=/usr/share/pocketsphinx/model/en-us
mkdir models
ln -s $m/en-us models/en-us
ln -s $m/cmudict-en-us.dict models/cmudict-en-us.dict
echo 'not a language model' >models/en-us.lm.bin
INC_STT_MODEL_DIR=$TESTDIR/models INC_STT_COMMON_WORDS=0 \
	INC_STT_LM_DIR=$TESTDIR/lm INC_STT_GENERIC_WEIGHT=0 inc-stt rms.wav >out
has_words out database down
jqtest '(has("errors")|not)' out
INC_STT_MODEL_DIR=$TESTDIR/models INC_STT_COMMON_WORDS=0 \
	INC_STT_LM_DIR=$TESTDIR/lm INC_STT_GENERIC_WEIGHT=0.3 inc-stt rms.wav >out
jqtest '(.errors[0].error|test("local recogniser: cannot read the language model .*/models/en-us.lm.bin"))
	and (has("description")|not)' out
# The --lm generic and a file of one's own are never mixed.
INC_STT_MODEL_DIR=$TESTDIR/models INC_STT_LM_DIR=$TESTDIR/lm \
	inc-stt --lm "$TESTDIR/lm/domain.lm" rms.wav >out
has_words out database down
for w in 1 -0.1 half; do
	expect_code 78 env INC_STT_GENERIC_WEIGHT="$w" inc-stt </dev/null 2>err
	grep -q 'INC_STT_GENERIC_WEIGHT: a number in 0..1' err
done
