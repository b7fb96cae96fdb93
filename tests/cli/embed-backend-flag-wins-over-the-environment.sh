#!/bin/sh
# inc-embed --backend local wins over INC_EMBED_BACKEND=openai (flags before the environment, DESIGN §3): nothing is sent.
. "${0%/*}/../testlib.sh"
start_embeddings
echo '{"id":"l-1","title":"db-01 disk full"}' >in
INC_EMBED_BACKEND=openai inc-embed <in >out
jqtest '.embedding.model == "openai:text-embedding-3-small"' out
: >log
INC_EMBED_BACKEND=openai inc-embed --backend local <in >out 2>err
must_be_empty err
jqtest '.embedding.model == "fh1-d384-w2-c34-noidf" and .embedding.dim == 384' out
must_be_empty log
# The same through a configuration file.
echo 'INC_EMBED_BACKEND=openai' >inc.conf
: >log
INC_CONFIG=$PWD/inc.conf inc-embed --backend local <in >out
jqtest '.embedding.model == "fh1-d384-w2-c34-noidf"' out
must_be_empty log
