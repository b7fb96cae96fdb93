/* rfc3339: parsing what real senders write, normalising to UTC. */
#include "rfc3339.h"
#include "unit.h"

int
main(void)
{
	char buf[RFC3339_LEN];
	int64_t u;

	/* Alertmanager: nanoseconds and a +01:00 offset. */
	CHECK(rfc3339_normalise("2018-11-04T22:43:58.283995108+01:00", buf,
	    sizeof buf) == 0);
	CHECK_STR(buf, "2018-11-04T21:43:58.283995Z");
	/* prometheus-msteams: a negative offset crossing midnight. */
	CHECK(rfc3339_normalise("2018-03-07T22:33:21.8-05:00", buf,
	    sizeof buf) == 0);
	CHECK_STR(buf, "2018-03-08T03:33:21.800000Z");
	/* Go's zero time is a real (if distant) time. */
	CHECK(rfc3339_parse("0001-01-01T00:00:00Z", &u) == 0);
	CHECK(u < 0);
	CHECK(rfc3339_parse("1970-01-01T00:00:00Z", &u) == 0 && u == 0);
	CHECK(rfc3339_parse("2000-02-29T12:00:00.5Z", &u) == 0 &&
	    u == 951825600500000LL);
	/* Round trip. */
	rfc3339_format(951825600500000LL, buf, sizeof buf);
	CHECK_STR(buf, "2000-02-29T12:00:00.500000Z");
	/* Not times. */
	CHECK(rfc3339_parse("2018-11-04 22:43", &u) < 0);
	CHECK(rfc3339_parse("2018-11-04T22:43:58", &u) < 0);	/* no zone */
	CHECK(rfc3339_parse("2018-13-04T22:43:58Z", &u) < 0);
	CHECK(rfc3339_parse("2018-11-04T22:43:58Zjunk", &u) < 0);
	CHECK(rfc3339_parse("", &u) < 0);
	CHECK(rfc3339_parse("2018-11-04T22:43:58.Z", &u) < 0);
	return unit_done();
}
