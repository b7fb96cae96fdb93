#!/bin/sh
# inc-ingest --kb reads runbooks (front matter and Meaning/Impact/Diagnosis/Mitigation) into kind "kb" records.
. "${0%/*}/../testlib.sh"
mkdir -p kb/db
cat >kb/db/pool.md <<'M'
---
id: kb-db-pool
title: Database connection pool exhausted
severity: critical
tags: [database, postgres]
owner: dba
---
# Pool exhausted

## Meaning
The application cannot get a connection from its pool.

## Impact
Requests queue and time out.

## Diagnosis
```shell
# count connections per state
psql -c 'select state, count(*) from pg_stat_activity group by 1'
```

## Mitigation
Raise the pool size or kill idle-in-transaction sessions.
M
cat >kb/disk.md <<'M'
# DiskFull

## Meaning

A file system is out of space.

## Mitigation

Delete old logs.
M
echo 'LICENSE text' >kb/LICENSE
printf -- '---\ntitle: index\n---\n' >kb/_index.md
inc-ingest --kb kb >out 2>err
must_be_empty err
test "$(lines out)" -eq 2
jqtest 'select(.id=="kb-db-pool") | .kind=="kb" and .title=="Database connection pool exhausted" and .severity=="HIGH" and .tags==["database","postgres"] and .description=="The application cannot get a connection from its pool.\n\nRequests queue and time out." and .resolution=="Raise the pool size or kill idle-in-transaction sessions." and (.sections.diagnosis|contains("# count connections")) and .metadata.front_matter.owner=="dba"' out
jqtest 'select(.id=="kb:disk") | .title=="DiskFull" and .resolution=="Delete old logs." and .description=="A file system is out of space."' out
# A runbook may start with a link: markdown by name, not JSON.
printf '[Upstream](https://example.com) runbook\n\n## Meaning\nLinks first.\n' >kb/link.md
inc-ingest --kb kb/link.md >out
jqtest '.id=="kb:link" and .description=="Links first."' out
# JSON lines work as knowledge too, severity in our three words.
echo '{"id":"kb-w","title":"t","description":"d","severity":"warning"}' | inc-ingest --kb >out
jqtest '.severity=="MEDIUM"' out
echo '{"id":"kb-j","title":"t","description":"d","resolution":"r","severity":"LOW"}' | inc-ingest --kb >out
jqtest '.kind=="kb" and .resolution=="r"' out
# Broken front matter is rejected with the reason.
printf -- '---\ntitle: [unclosed\n---\n# x\n' >bad.md
expect_code 65 inc-ingest --kb bad.md >out 2>err
grep -q '^inc-ingest: bad.md: front matter' err
