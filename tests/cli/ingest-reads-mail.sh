#!/bin/sh
# inc-ingest reads an RFC 822 message: Subject is the title, the text/plain part the description, From the source.
. "${0%/*}/../testlib.sh"
cat >m1.eml <<'M'
Return-Path: <alerts@example.com>
From: "Disk Watch" <alerts@example.com>
To: ops@example.com
Subject: =?UTF-8?Q?Disk_full_on_db=E2=80=9101?=
Date: Fri, 27 Nov 2026 03:00:00 +0100
Message-ID: <m1@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/html; charset=utf-8

<p>not this one</p>
--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

/var on db-01 is at 100% =E2=80=94 writes fail=
ing.
--b1--
M
inc-ingest m1.eml >out
jqtest '.title=="Disk full on db‑01" and .description=="/var on db-01 is at 100% — writes failing." and .source=="alerts@example.com" and .reported_at=="2026-11-27T02:00:00.000000Z" and .ingest.format=="email" and .metadata.message_id=="m1@example.com"' out
# The id comes from the Message-ID: the same mail twice is one incident.
inc-ingest m1.eml m1.eml | jq -r .id | sort -u >ids
test "$(lines ids)" -eq 1
grep -q '^mail-[0-9a-f]\{16\}$' ids
# base64 bodies and latin-1 charsets are decoded to UTF-8.
body=$(printf 'Caf\351 queue is backing up' | base64)
printf 'From: a@b.example\nSubject: queue\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\n%s\n' "$body" >m2.eml
inc-ingest <m2.eml >out
jqtest '.description=="Café queue is backing up" and .title=="queue"' out
# A mail typed slowly into a pipe is still read as a mail.
{ printf 'From: slow@example.com\n'; sleep 0.3; printf 'Subject: slow\n'; sleep 0.3; printf '\nbody text\n'; } | inc-ingest >out
jqtest '.ingest.format=="email" and .title=="slow" and .description=="body text\n"' out
# A mail with no text at all is rejected.
printf 'From: a@b.example\nSubject: empty\nContent-Type: text/plain\n\n\n' >m3.eml
expect_code 65 inc-ingest m3.eml >out 2>err
grep -q 'm3.eml: mail has no text body' err
