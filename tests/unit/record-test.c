/* record: line reading at any length, limits, peek and slurp, parsing. */
#include <stdlib.h>
#include <unistd.h>

#include "record.h"
#include "unit.h"

/* A pipe holding s, closed for writing: a reader sees s then EOF. */
static int
pipe_of(const char *s, size_t n)
{
	int p[2];

	if (pipe(p) < 0)
		abort();
	if (fork() == 0) {
		close(p[0]);
		while (n > 0) {
			ssize_t w = write(p[1], s, n);
			if (w <= 0)
				_exit(1);
			s += w;
			n -= (size_t)w;
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

int
main(void)
{
	struct record_reader *r;
	char *line, *big, why[256];
	size_t len, n = 300000;
	const char *peek;
	json_t *v;
	FILE *rej = tmpfile();

	/* Lines longer than the buffer, and a last line without LF. */
	big = malloc(n + 64);
	memset(big, 'x', n);
	memcpy(big + n, "\nshort\nlast", 12);
	r = record_reader_new(pipe_of(big, n + 11), 1 << 20);
	CHECK(record_read_line(r, &line, &len) == RECORD_LINE && len == n);
	CHECK(record_read_line(r, &line, &len) == RECORD_LINE &&
	    strcmp(line, "short") == 0);
	CHECK(record_read_line(r, &line, &len) == RECORD_LINE &&
	    strcmp(line, "last") == 0 && record_reader_lineno(r) == 3);
	CHECK(record_read_line(r, &line, &len) == RECORD_EOF);
	record_reader_free(r);

	/* Over the limit: skipped, copied to the reject file, reading goes
	 * on at the next line. */
	r = record_reader_new(pipe_of(big, n + 11), 1000);
	record_reader_set_reject(r, rej);
	CHECK(record_read_line(r, &line, &len) == RECORD_TOOLONG);
	CHECK(record_read_line(r, &line, &len) == RECORD_LINE &&
	    strcmp(line, "short") == 0 && record_reader_lineno(r) == 2);
	CHECK(ftell(rej) == (long)n + 1);
	record_reader_free(r);

	/* Peek does not consume; slurp takes the rest. */
	r = record_reader_new(pipe_of("\n  \n{\"a\":\n1}\n", 13), 1 << 20);
	CHECK(record_reader_peek(r, &peek) >= 8);
	CHECK(strncmp(peek, "\n  \n{\"a\":", 9) == 0);
	CHECK(record_reader_slurp(r, 100, &line, &len) == 0 && len == 13);
	v = record_parse(line, len, why, sizeof why);
	CHECK(v && json_integer_value(json_object_get(v, "a")) == 1);
	json_decref(v);
	record_reader_free(r);
	r = record_reader_new(pipe_of(big, n), 1 << 20);
	CHECK(record_reader_slurp(r, 1000, &line, &len) < 0);
	record_reader_free(r);

	/* Parsing: each class of malformed line has its reason. */
	CHECK(!record_parse("[1]", 3, why, sizeof why) &&
	    strcmp(why, "not an object") == 0);
	CHECK(!record_parse("{\"a\":\"\xff\"}", 9, why, sizeof why) &&
	    strcmp(why, "invalid UTF-8 at byte 7") == 0);
	CHECK(!record_parse("{\"a\":\0}", 7, why, sizeof why) &&
	    strcmp(why, "NUL byte at byte 6") == 0);
	CHECK(!record_parse("{\"a\":", 5, why, sizeof why) &&
	    strncmp(why, "not JSON: ", 10) == 0);

	/* errors[] entries are appended with stage and time. */
	v = json_object();
	record_add_error(v, "inc-test", "down after %d tries", 3);
	record_add_error(v, "inc-test", "Bearer abcdefghijkl leaked");
	CHECK(record_error_count(v) == 2);
	CHECK_STR(json_string_value(json_object_get(json_array_get(
	    json_object_get(v, "errors"), 1), "error")), "Bearer * leaked");
	json_decref(v);
	fclose(rej);
	free(big);
	return unit_done();
}
