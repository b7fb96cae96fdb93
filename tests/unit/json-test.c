/* json: compact output that reads back equal, reals as a person wrote them. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "json.h"
#include "unit.h"

static const char *
out(const char *in)
{
	static struct json_buf b;
	json_error_t e;
	json_t *v = json_loads(in, JSON_DECODE_ANY, &e);

	b.len = 0;
	if (!v || json_write(&b, v) < 0 || json_buf_put(&b, "", 1) < 0)
		return "(error)";
	json_decref(v);
	return b.data;
}

static unsigned long long rng = 0x2545F4914F6CDD1Dull;

static double
rnd_real(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	switch (rng % 4) {
	case 0:
		return (double)(rng % 100000) / 1000.0;
	case 1:
		return (double)(int64_t)rng / 3.0;
	case 2:
		return ldexp((double)(rng % 1000003), (int)(rng % 200) - 100);
	default: {
		double d;
		uint64_t bits = rng & 0x7fefffffffffffffull;
		memcpy(&d, &bits, sizeof d);
		return d;
	}
	}
}

int
main(void)
{
	struct json_buf b = { 0 };

	CHECK_STR(out("{\"a\": 256.462, \"b\": [0.1, 1.0, 1e300, -0.0]}"),
	    "{\"a\":256.462,\"b\":[0.1,1.0,1e+300,-0.0]}");
	CHECK_STR(out("{\"B\":44.23943737541908,\"C\":1}"),
	    "{\"B\":44.23943737541908,\"C\":1}");
	CHECK_STR(out("[0.30000000000000004, 9223372036854775807, -5]"),
	    "[0.30000000000000004,9223372036854775807,-5]");
	CHECK_STR(out("\"tab\\t nl\\n q\\\" bs\\\\ \\u0001 \\/ caf\\u00e9\""),
	    "\"tab\\t nl\\n q\\\" bs\\\\ \\u0001 / caf\xc3\xa9\"");
	CHECK_STR(out("{\"z\":1,\"a\":2,\"m\":{}}"), "{\"z\":1,\"a\":2,\"m\":{}}");
	CHECK_STR(out("[true,false,null,[]]"), "[true,false,null,[]]");

	/* Every real reads back as the same double. */
	for (int i = 0; i < 200000; i++) {
		double d = rnd_real();
		json_t *v = json_real(d), *back;
		b.len = 0;
		json_write(&b, v);
		json_buf_put(&b, "", 1);
		back = json_loads(b.data, JSON_DECODE_ANY, NULL);
		unit_checks++;
		if (!back || !json_is_real(back) ||
		    json_real_value(back) != d) {
			unit_failed++;
			fprintf(stderr, "FAIL: %.17g wrote %s\n", d, b.data);
		}
		json_decref(v);
		json_decref(back);
	}
	json_buf_free(&b);
	return unit_done();
}
