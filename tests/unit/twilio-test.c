/* twilio: Twilio's own signature vectors, TwiML escaping, masked numbers. */
#include <stdlib.h>

#include <jansson.h>

#include "twilio.h"
#include "unit.h"

#define VECTORS "/../shared/data/signature-vectors/" \
	"twilio_request_validator_vectors.json"

/* Every vector of the shared file must give its expected result. */
static int
vectors(void)
{
	const char *top = getenv("TOP");
	char path[4096];
	json_error_t je;
	json_t *doc, *vs, *v;
	size_t i;
	int n = 0;

	snprintf(path, sizeof path, "%s%s", top ? top : ".", VECTORS);
	if (!(doc = json_load_file(path, 0, &je))) {
		printf("%s: %s: signature vectors not tested\n", path,
		    je.text);
		return -1;
	}
	vs = json_object_get(doc, "vectors");
	CHECK(json_array_size(vs) == 19);
	json_array_foreach(vs, i, v) {
		struct twilio_param p[32];
		size_t np = 0;
		const char *k, *body = json_string_value(json_object_get(v,
		    "raw_body"));
		json_t *val;
		int want = json_is_true(json_object_get(v, "expected_valid"));
		int got;

		json_object_foreach(json_object_get(v, "params"), k, val) {
			if (json_is_array(val)) {
				size_t j;
				json_t *e;
				json_array_foreach(val, j, e)
					p[np++] = (struct twilio_param){ k,
					    json_string_value(e) };
			} else
				p[np++] = (struct twilio_param){ k,
				    json_string_value(val) };
		}
		got = twilio_valid(json_string_value(json_object_get(v,
		    "auth_token")), json_string_value(json_object_get(v,
		    "request_url")), p, np, body, body ? strlen(body) : 0,
		    json_string_value(json_object_get(v,
		    "x_twilio_signature")));
		unit_checks++;
		if (got != want) {
			unit_failed++;
			fprintf(stderr, "FAIL vector %s: valid %d, want %d\n",
			    json_string_value(json_object_get(v, "id")), got,
			    want);
		}
		n++;
	}
	json_decref(doc);
	printf("%d signature vectors\n", n);
	return n;
}

static void
signing(void)
{
	struct twilio_param p[] = {
		{ "To", "+18005551212" }, { "CallSid", "CA1234567890ABCDE" },
		{ "From", "+14158675309" }, { "Digits", "1234" },
		{ "Caller", "+14158675309" },
	};
	char sig[TWILIO_SIG_LEN];

	CHECK(twilio_sign("12345", "https://mycompany.com/myapp.php?foo=1"
	    "&bar=2", p, 5, sig) == 0);
	CHECK_STR(sig, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
	/* A changed value or token fails; so does an empty signature. */
	p[3].value = "1235";
	CHECK(!twilio_valid("12345", "https://mycompany.com/myapp.php?foo=1"
	    "&bar=2", p, 5, NULL, 0, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	p[3].value = "1234";
	CHECK(!twilio_valid("12346", "https://mycompany.com/myapp.php?foo=1"
	    "&bar=2", p, 5, NULL, 0, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
	CHECK(!twilio_valid("12345", "https://mycompany.com/myapp.php?foo=1"
	    "&bar=2", p, 5, NULL, 0, ""));
	/* A JSON body that is not the one hashed in the URL fails. */
	CHECK(!twilio_valid("12345", "https://mycompany.com/myapp.php?foo=1"
	    "&bar=2&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7"
	    "cf19632632f96e6620", NULL, 0, "{}", 2,
	    "a9nBmqA0ju/hNViExpshrM61xv4="));
}

static void
form(void)
{
	const char body[] = "CallSid=CA1&SpeechResult=db-01+disk+is%20full"
	    "&From=%2B14155550123&Empty=&Flag&Bad=%zz%4";
	struct twilio_param *p;
	size_t n;

	CHECK(twilio_form_parse(body, strlen(body), &p, &n) == 0);
	CHECK(n == 6);
	CHECK_STR(twilio_param(p, n, "SpeechResult"), "db-01 disk is full");
	CHECK_STR(twilio_param(p, n, "From"), "+14155550123");
	CHECK_STR(twilio_param(p, n, "Empty"), "");
	CHECK_STR(twilio_param(p, n, "Flag"), "");
	CHECK_STR(twilio_param(p, n, "Bad"), "%zz%4");
	CHECK(twilio_param(p, n, "Digits") == NULL);
	free(p);
	CHECK(twilio_form_parse("", 0, &p, &n) == 0 && n == 0);
	free(p);
}

static void
twiml(void)
{
	struct twilio_doc *d = twilio_doc_new();
	size_t len = 0;
	char *x;

	twilio_gather(d, "dtmf", 1, 10, "https://h.example/ack?incident=a&b");
	twilio_say(d, "Disk <full> on \"db\" & 'web'");
	twilio_gather_end(d);
	twilio_record(d, "https://h.example/rec", 120);
	twilio_redirect(d, "https://h.example/x?a=1&b=2");
	twilio_hangup(d);
	x = twilio_doc_end(d, &len);
	CHECK_STR(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>"
	    "<Gather input=\"dtmf\" numDigits=\"1\" timeout=\"10\" "
	    "action=\"https://h.example/ack?incident=a&amp;b\" "
	    "method=\"POST\"><Say>Disk &lt;full&gt; on &quot;db&quot; &amp; "
	    "&apos;web&apos;</Say></Gather><Record action=\"https://h.example/"
	    "rec\" method=\"POST\" maxLength=\"120\" playBeep=\"true\"/>"
	    "<Redirect method=\"POST\">https://h.example/x?a=1&amp;b=2"
	    "</Redirect><Hangup/></Response>");
	CHECK(x && len == strlen(x));
	free(x);
	/* Control characters have no place in XML 1.0. */
	d = twilio_doc_new();
	twilio_say(d, "a\001b");
	x = twilio_doc_end(d, NULL);
	CHECK(x && strstr(x, "<Say>a b</Say>"));
	free(x);
}

static void
mask(void)
{
	char m[32];

	twilio_mask("+14155554567", m, sizeof m);
	CHECK_STR(m, "+1******4567");
	twilio_mask("+442071838750", m, sizeof m);
	CHECK_STR(m, "+4*******8750");
	twilio_mask("12345", m, sizeof m);
	CHECK_STR(m, "***45");
	twilio_mask("+1 (415) 555-4567", m, sizeof m);
	CHECK_STR(m, "+1******4567");
	twilio_mask("+14155554567", m, 5);
	CHECK_STR(m, "+1**");
}

int
main(void)
{
	int n = vectors();

	signing();
	form();
	twiml();
	mask();
	if (n < 0 && unit_failed == 0) {
		unit_done();
		return 77;
	}
	return unit_done();
}
