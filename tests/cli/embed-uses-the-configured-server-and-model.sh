#!/bin/sh
# inc-embed asks the server at INC_EMBED_URL (else OPENAI_BASE_URL) for the model INC_EMBED_MODEL, and names it in the model id; INC_EMBED_BACKEND=openai picks the backend.
. "${0%/*}/../testlib.sh"
start_embeddings --dim 24
base=$INC_EMBED_URL
echo '{"id":"u-1","title":"db-01 disk full"}' >in
INC_EMBED_BACKEND=openai INC_EMBED_MODEL=nomic-embed-text inc-embed <in >out 2>err
must_be_empty err
jqtest '.embedding.model == "openai:nomic-embed-text" and .embedding.dim == 24' out
jqtest '.path == "/v1/embeddings" and .body.model == "nomic-embed-text"' log
# The default model is OpenAI's small one.
: >log
inc-embed --backend openai <in >out
jqtest '.embedding.model == "openai:text-embedding-3-small"' out
jqtest '.body.model == "text-embedding-3-small"' log
# OPENAI_BASE_URL when INC_EMBED_URL is unset; INC_EMBED_URL wins over it.
unset INC_EMBED_URL
: >log
OPENAI_BASE_URL=$base inc-embed --backend openai <in >out
jqtest '.embedding.dim == 24' out
test "$(lines log)" -eq 1
: >log
OPENAI_BASE_URL=http://127.0.0.1:1/v1 INC_EMBED_URL=$base inc-embed --backend openai <in >out
jqtest '.embedding.dim == 24 and .errors == null' out
# A base URL without /v1 (LocalAI also answers /embeddings).
: >log
INC_EMBED_URL=${base%/v1} inc-embed --backend openai <in >out
jqtest '.embedding.dim == 24' out
jqtest '.path == "/embeddings"' log
expect_code 64 inc-embed --backend cohere <in >out 2>err
grep -q '^inc-embed: --backend: local or openai: cohere$' err
