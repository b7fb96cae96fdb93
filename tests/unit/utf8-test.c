/* utf8: RFC 3629 validity and safe cutting. */
#include "utf8.h"
#include "unit.h"

static int
valid(const char *s)
{
	return utf8_valid(s, strlen(s), NULL);
}

int
main(void)
{
	size_t bad = 0;

	CHECK(valid("plain ascii, long enough to take the 8-byte path"));
	CHECK(valid("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\xa5"));
	CHECK(!valid("\xc0\xaf"));		/* overlong '/' */
	CHECK(!valid("\xe0\x80\xaf"));		/* overlong, 3 bytes */
	CHECK(!valid("\xed\xa0\x80"));		/* surrogate U+D800 */
	CHECK(!valid("\xf4\x90\x80\x80"));	/* above U+10FFFF */
	CHECK(!valid("\xff"));
	CHECK(!valid("abc\xe2\x80"));		/* truncated */
	CHECK(!utf8_valid("12345678901234\x80", 15, &bad) && bad == 14);
	/* Cutting never splits a character. */
	CHECK(utf8_cut("a\xc3\xa9", 3, 2) == 1);
	CHECK(utf8_cut("a\xc3\xa9", 3, 3) == 3);
	CHECK(utf8_cut("abc", 3, 10) == 3);
	return unit_done();
}
