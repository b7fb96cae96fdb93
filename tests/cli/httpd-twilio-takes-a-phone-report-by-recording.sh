#!/bin/sh
# A recorded phone report (RecordingUrl from <Record>) is spooled durably as an audio job for inc-stt, with the caller as source, and the caller hears a goodbye.
. "${0%/*}/../testlib.sh"
export TWILIO_AUTH_TOKEN=hook-token INC_PUBLIC_URL=https://inc.example.com
spool=$INC_STATE_DIR/spool
start_httpd
test "$(hook /api/twilio/voice/inbound/recording \
	CallSid=CA00000000000000000000000000000003 AccountSid=AC1 From=+442071838750 \
	To=+15005550006 Direction=inbound \
	RecordingUrl=https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1 \
	RecordingDuration=17 Digits=hangup)" = 200
grep -q '^text/xml' ctype
grep -q '<Hangup/>' body
cat "$spool/new/"* >entries
jqtest '.id == "phone-CA00000000000000000000000000000003" and
	.audio.url == "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1" and
	.audio.duration == 17 and (has("description") | not) and
	.source == "phone:+4*******8750"' entries
# inc-ingest takes it as an audio job.
inc-ingest --spool "$spool" >rec
jqtest '.audio.url | startswith("https://api.twilio.com/")' rec
# Neither a transcript nor a recording: nothing is spooled.
test "$(hook /api/twilio/voice/inbound/recording CallSid=CA00000000000000000000000000000004 \
	From=+14155550123)" = 200
test -z "$(ls "$spool/new")"
