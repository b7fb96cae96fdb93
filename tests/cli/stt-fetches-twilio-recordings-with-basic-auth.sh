#!/bin/sh
# inc-stt fetches an audio job's audio.url with Twilio's Basic auth when it is under TWILIO_API_URL, and without credentials anywhere else.
. "${0%/*}/../testlib.sh"
. "$TOP/tests/sttlib.sh"
need_speech
mkdir rec
say slt "$SAID" rec/RE0123.wav -r 8000 -e u-law
start_stub twilio recordings.py --dir rec --user AC0001 --password tok-secret
twilio=$url
start_stub other recordings.py --dir rec
other=$url
printf '{"id":"c1","audio":{"url":"%s/2010-04-01/Accounts/AC0001/Recordings/RE0123"}}\n' "$twilio" >job
TWILIO_ACCOUNT_SID=AC0001 TWILIO_AUTH_TOKEN=tok-secret TWILIO_API_URL=$twilio \
	inc-stt <job >out 2>err
has_words out primary database down
jqtest '.id=="c1" and .stt.engine=="local"' out
jqtest '.path=="/2010-04-01/Accounts/AC0001/Recordings/RE0123"
	and .headers.Authorization=="Basic '"$(printf AC0001:tok-secret | base64)"'"
	and .status==200' twilio.log
# Another host never sees Twilio's credentials.
printf '{"id":"c2","audio":{"url":"%s/2010-04-01/Accounts/AC0001/Recordings/RE0123"}}\n' "$other" >job
TWILIO_ACCOUNT_SID=AC0001 TWILIO_AUTH_TOKEN=tok-secret TWILIO_API_URL=$twilio \
	inc-stt <job >out
has_words out database down
jqtest '.headers|has("Authorization")|not' other.log
# Wrong credentials: Twilio's 401 in errors[], the record passed on.
printf '{"id":"c3","audio":{"url":"%s/2010-04-01/Accounts/AC0001/Recordings/RE0123"}}\n' "$twilio" >job
TWILIO_ACCOUNT_SID=AC0001 TWILIO_AUTH_TOKEN=wrong TWILIO_API_URL=$twilio \
	inc-stt <job >out 2>err
jqtest '.id=="c3" and (.errors[0].error|test("HTTP 401"))' out
! grep -q wrong out err || fail "the token leaked"
