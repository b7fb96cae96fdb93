/*
 * jscan against jansson: whenever jscan says "a valid object", jansson
 * must agree and read the same value from jscan's compacted copy.  Run
 * over hand-picked edge cases, then over generated documents with random
 * white space and random byte mutations of them (a differential fuzz
 * test; INC_JSCAN_ROUNDS sets how many, 200000 by default).
 */
#include <stdlib.h>

#include "jscan.h"
#include "json.h"
#include "record.h"
#include "unit.h"

static unsigned long long rng = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static struct jscan js;
static unsigned long agreed_valid, agreed_invalid, conservative;

/* The property; returns jscan's verdict. */
static int
differ(const char *in, size_t n)
{
	char why[128];
	json_error_t e;
	json_t *a, *b;
	int v;

	if (record_check_text(in, n, why, sizeof why) < 0)
		return -1;	/* never reaches jscan */
	v = jscan_object(&js, in, n);
	a = json_loadb(in, n, 0, &e);
	if (v) {
		unit_checks++;
		if (!a) {
			unit_failed++;
			fprintf(stderr, "FAIL: jscan accepts, jansson says "
			    "%s: %.*s\n", e.text, (int)(n > 300 ? 300 : n), in);
			return v;
		}
		b = json_loadb(js.out, js.len, 0, &e);
		if (!b || !json_equal(a, b)) {
			unit_failed++;
			fprintf(stderr, "FAIL: compacted copy differs: %.*s\n",
			    (int)(n > 300 ? 300 : n), in);
		}
		json_decref(b);
		/* Every top-level string decodes as jansson decodes it. */
		for (size_t i = 0; i < js.nkeys; i++) {
			const struct jscan_key *k = &js.keys[i];
			char key[256], dec[4096];
			size_t rl, dl;
			const char *raw;
			if (k->type != '"' || k->nlen >= sizeof key)
				continue;
			memcpy(key, k->name, k->nlen);
			key[k->nlen] = '\0';
			raw = jscan_str(&js, k, &rl);
			if (rl > sizeof dec)
				continue;
			dl = jscan_unescape(raw, rl, dec);
			json_t *want = json_object_get(a, key);
			unit_checks++;
			if (json_string_length(want) != dl ||
			    memcmp(json_string_value(want), dec, dl) != 0) {
				unit_failed++;
				fprintf(stderr, "FAIL: unescape of %s in %.*s\n",
				    key, (int)(n > 300 ? 300 : n), in);
			}
		}
		/* Re-emitting without "id" and with a new member is the same
		 * as doing that to jansson's object. */
		static struct json_buf eb;
		static const char *drop[] = { "id" };
		eb.len = 0;
		jscan_emit(&eb, &js, drop, 1, "\"zz\":[1]", 8);
		b = json_loadb(eb.data, eb.len, 0, &e);
		json_object_del(a, "id");
		json_object_set_new(a, "zz", json_pack("[i]", 1));
		unit_checks++;
		if (!b || !json_equal(a, b)) {
			unit_failed++;
			fprintf(stderr, "FAIL: emit differs: %.*s -> %.*s\n",
			    (int)(n > 300 ? 300 : n), in, (int)eb.len, eb.data);
		}
		json_decref(b);
		agreed_valid++;
	} else if (a) {
		conservative++;	/* allowed: jansson takes the slow path */
	} else {
		agreed_invalid++;
	}
	json_decref(a);
	return v;
}

static int
S(const char *s)
{
	return differ(s, strlen(s));
}

static const char *strs[] = { "", "a", "db-01 disk full", "caf\xc3\xa9",
	"\\n\\t", "\\u00e9", "\\ud83d\\ude00", "q\\\"q", "\\/", "\\ud83d",
	"\\udc00", "\\u0000", "\\x", "\\u12", "tab\there", "\xe2\x80\x94" };
static const char *nums[] = { "0", "-0", "1", "-1", "3.25", "1e10",
	"1E-3", "-2.5e+3", "9223372036854775807", "-9223372036854775808",
	"9223372036854775808", "-9223372036854775809", "1e400", "-1e400",
	"1e-400", "01", "1.", ".5", "-", "1e", "+1", "0x10", "12345678901234" };

static void
gen(char *o, size_t *len, size_t cap, int depth)
{
	static const char *wsp[] = { "", "", "", " ", "\n", "\t ", "\r\n" };
	int kind = depth > 4 ? rnd(5) : rnd(7);

#define PUT(s) do { const char *s_ = (s); size_t l_ = strlen(s_); \
	if (*len + l_ < cap) { memcpy(o + *len, s_, l_); *len += l_; } \
} while (0)
	PUT(wsp[rnd(7)]);
	switch (kind) {
	case 0: case 1: {
		PUT("\"");
		PUT(strs[rnd(sizeof strs / sizeof *strs)]);
		PUT("\"");
		break;
	}
	case 2:
		PUT(nums[rnd(sizeof nums / sizeof *nums)]);
		break;
	case 3:
		PUT(rnd(2) ? "true" : rnd(2) ? "false" : "null");
		break;
	case 4:
		PUT(rnd(2) ? "\"id\"" : "\"x\"");
		break;
	case 5: {
		int n = rnd(4);
		PUT("[");
		for (int i = 0; i < n; i++) {
			if (i)
				PUT(",");
			gen(o, len, cap, depth + 1);
		}
		PUT("]");
		break;
	}
	default: {
		static const char *keys[] = { "id", "description", "title",
		    "metadata", "k", "", "d\\u0069", "id" };
		int n = rnd(5);
		PUT("{");
		for (int i = 0; i < n; i++) {
			if (i)
				PUT(",");
			PUT(wsp[rnd(7)]);
			PUT("\"");
			PUT(keys[rnd(8)]);
			PUT("\"");
			PUT(wsp[rnd(7)]);
			PUT(":");
			gen(o, len, cap, depth + 1);
		}
		PUT(wsp[rnd(7)]);
		PUT("}");
		break;
	}
	}
	PUT(wsp[rnd(7)]);
#undef PUT
}

int
main(void)
{
	const char *env = getenv("INC_JSCAN_ROUNDS");
	long rounds = env ? atol(env) : 200000;
	char buf[4096], deep[2100];

	/* Edge cases, with the verdict jscan must give. */
	CHECK(S("{}") == 1);
	CHECK(S(" { \"a\" : [ 1 , 2 ] } ") == 1);
	CHECK(strcmp(js.out, "{\"a\":[1,2]}") == 0);
	CHECK(S("{\"n\":9223372036854775807}") == 1);
	CHECK(S("{\"n\":9223372036854775808}") == 0);
	CHECK(S("{\"n\":-9223372036854775808}") == 1);
	CHECK(S("{\"n\":1e400}") == 0);
	CHECK(S("{\"n\":1e-400}") == 1);
	CHECK(S("{\"s\":\"\\ud83d\\ude00\"}") == 1);
	CHECK(S("{\"s\":\"\\ud83d\"}") == 0);
	CHECK(S("{\"s\":\"\\udc00\"}") == 0);
	CHECK(S("{\"s\":\"\\u0000\"}") == 0);
	CHECK(S("{\"s\":\"a\tb\"}") == 0);
	CHECK(S("{\"a\":1}x") == 0);
	CHECK(S("{\"a\":01}") == 0);
	CHECK(S("{\"a\":tru}") == 0);
	CHECK(S("{\"a\":1,}") == 0);
	CHECK(S("[{\"a\":1}]") == 0);
	CHECK(S("{\"a\":1,\"a\":2}") == 0);	/* duplicate: slow path */
	CHECK(S("{\"\\u0061\":1}") == 0);	/* escaped key: slow path */
	CHECK(S("{\"a\":{\"b\":1,\"b\":2}}") == 1);	/* nested dup is fine */
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	snprintf(buf, sizeof buf, "{\"d\":%.2000s}", deep);
	CHECK(S(buf) == 0);	/* deep nesting: jansson decides */
	CHECK(S("{\"id\":\"x\",\"description\":\"d\"}") == 1);
	{
		const struct jscan_key *k = jscan_get(&js, "description");
		size_t n = 0;
		CHECK(k && k->type == '"' && !k->escaped &&
		    strncmp(jscan_str(&js, k, &n), "d", n) == 0 && n == 1);
	}

	/* Generated documents and mutations of them. */
	for (long i = 0; i < rounds; i++) {
		size_t len = 0;
		gen(buf, &len, sizeof buf - 1, 0);
		if (buf[strspn(buf, " \t\r\n")] != '{' || rnd(4) == 0) {
			/* Mostly objects: the fast path's own input. */
			memmove(buf + 5, buf, len);
			memcpy(buf, "{\"v\":", 5);
			len += 5;
			buf[len++] = '}';
		}
		differ(buf, len);
		for (int m = 0; m < 3 && len > 0; m++) {
			size_t at = rnd((unsigned)len);
			switch (rnd(3)) {
			case 0:
				buf[at] = "{}[]\",:\\0123456789.eE-+ tfnu\""[
				    rnd(29)];
				break;
			case 1:
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
				break;
			default:
				if (len + 1 < sizeof buf) {
					memmove(buf + at + 1, buf + at,
					    len - at);
					buf[at] = "{}[]\",:\\1e-"[rnd(11)];
					len++;
				}
			}
			differ(buf, len);
		}
	}
	printf("agreed valid %lu, agreed invalid %lu, left to jansson %lu\n",
	    agreed_valid, agreed_invalid, conservative);
	/* The test means something only if both verdicts occur often. */
	CHECK(rounds < 1000 || agreed_valid > (unsigned long)rounds / 10);
	CHECK(rounds < 1000 || agreed_invalid > (unsigned long)rounds / 10);
	jscan_free(&js);
	return unit_done();
}
