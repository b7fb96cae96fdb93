/* log: secrets never reach a log line. */
#include <stdlib.h>

#include "log.h"
#include "unit.h"

static const char *
redact(const char *in)
{
	static char buf[512];

	snprintf(buf, sizeof buf, "%s", in);
	log_redact(buf);
	return buf;
}

int
main(void)
{
	CHECK_STR(redact("Authorization: Bearer xoxb-1234-5678-abcdefgh"),
	    "Authorization: Bearer *");
	CHECK_STR(redact("token xoxb-1234567890-abcdef leaked"),
	    "token xoxb-* leaked");
	CHECK_STR(redact("Basic QUMxMjM0NTY3ODk6c2VjcmV0"), "Basic *");
	CHECK_STR(redact("GET /v1/speech:recognize?key=AIzaSyD-abc&x=1"),
	    "GET /v1/speech:recognize?key=*&x=1");
	CHECK_STR(redact("groq said gsk_abcdefghijklmnop"), "groq said gsk_*");
	CHECK_STR(redact("call to +14155550123 failed"),
	    "call to +*******0123 failed");
	/* Ordinary words are not secrets. */
	CHECK_STR(redact("invalid token near 'not'"),
	    "invalid token near 'not'");
	CHECK_STR(redact("Basic auth failed"), "Basic auth failed");
	CHECK_STR(redact("risk-free task-runner"), "risk-free task-runner");
	CHECK_STR(redact("version +2"), "version +2");
	CHECK_STR(redact("line 2: expected KEY=value"),
	    "line 2: expected KEY=value");
	CHECK_STR(redact("https://x.example/a?api_key=abc&b=1"),
	    "https://x.example/a?api_key=*&b=1");
	return unit_done();
}
