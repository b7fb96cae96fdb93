/* oncall: the on-call list as people write it, and the call's TwiML. */
#include <stdlib.h>

#include "config.h"
#include "oncall.h"
#include "unit.h"

int
main(void)
{
	struct oncall oc;
	char err[256];
	json_t *rec;
	char *x;

	CHECK(oncall_number_valid("+14155550101"));
	CHECK(oncall_number_valid("+442071838750"));
	CHECK(!oncall_number_valid("14155550101"));
	CHECK(!oncall_number_valid("+1415555"));
	CHECK(!oncall_number_valid("+1415555010199999"));
	CHECK(!oncall_number_valid("+04155550101"));
	CHECK(!oncall_number_valid("+1415555O101"));

	/* Spaces, dashes and brackets go; empty items are skipped. */
	config_set("INC_ONCALL", " +1 (415) 555-0101, ,+14155550102,");
	config_set("INC_PUBLIC_URL", "https://inc.example.com//");
	CHECK(oncall_init(&oc, NULL, NULL, 0, err, sizeof err) == 0);
	CHECK(oc.n == 2);
	CHECK_STR(oc.numbers[0], "+14155550101");
	CHECK_STR(oc.numbers[1], "+14155550102");
	CHECK_STR(oc.public_url, "https://inc.example.com");
	CHECK(oc.ack_timeout == ONCALL_ACK_TIMEOUT);

	rec = json_pack("{s:s, s:s, s:s}", "id", "i-1", "severity", "HIGH",
	    "title", "Disk <full>");
	x = oncall_twiml(&oc, "i-1", rec, NULL, NULL);
	CHECK(x && strstr(x, "<Say>Incident i-1, severity HIGH: Disk "
	    "&lt;full&gt;.</Say>"));
	CHECK(x && strstr(x, "action=\"https://inc.example.com/api/twilio/"
	    "voice/ack?incident=i-1\""));
	CHECK(x && !strstr(x, "not an option"));
	free(x);
	x = oncall_twiml(&oc, "i-1", rec, "Join the bridge", "Sorry.");
	CHECK(x && strstr(x, "<Response><Say>Sorry.</Say><Gather"));
	CHECK(x && strstr(x, "<Say>Incident i-1, severity HIGH: Join the "
	    "bridge</Say>"));
	free(x);
	json_decref(rec);
	oncall_free(&oc);

	/* A number that is not E.164 is named, masked. */
	config_set("INC_ONCALL", "+14155550101,4155550102");
	CHECK(oncall_init(&oc, NULL, NULL, 0, err, sizeof err) < 0);
	CHECK(strstr(err, "4*****0102") && strstr(err, "E.164"));
	config_set("INC_ONCALL", "");
	config_set("INC_PUBLIC_URL", "inc.example.com");
	CHECK(oncall_init(&oc, NULL, NULL, 0, err, sizeof err) < 0);
	CHECK(strstr(err, "INC_PUBLIC_URL"));
	config_set("INC_PUBLIC_URL", "");
	config_set("INC_CALL_ACK_TIMEOUT", "5");
	CHECK(oncall_init(&oc, NULL, NULL, 0, err, sizeof err) < 0);
	CHECK(strstr(err, "INC_CALL_ACK_TIMEOUT"));
	return unit_done();
}
