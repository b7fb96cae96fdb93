/* cli: the options and usage errors every command shares. */
#include "cli.h"
#include "log.h"
#include "record.h"
#include "version.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

void
cli_usage_errorf(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", log_prog());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", usage);
	exit(EX_USAGE);
}

void
cli_usage_error(const char *usage, const char *msg, const char *arg)
{
	cli_usage_errorf(usage, "%s%s", msg, arg ? arg : "");
}

void
cli_option(int c, const char *usage, struct cli_opts *o)
{
	switch (c) {
	case 'n':
		o->dry_run = 1;
		return;
	case 'S':
		o->strict = 1;
		return;
	case 'R':
		o->reject = optarg;
		return;
	case 'q':
		o->quiet = 1;
		return;
	case 'h':
		printf("%s", usage);
		exit(0);
	case 'V':
		printf("%s %s\n", log_prog(), INC_VERSION);
		exit(0);
	default:
		fprintf(stderr, "%s", usage);
		exit(EX_USAGE);
	}
}

void
cli_no_operands(int argc, char **argv, const char *usage)
{
	if (optind < argc)
		cli_usage_error(usage, "takes no arguments: ", argv[optind]);
}

int
cli_stream_open(struct record_stream *s, const struct cli_opts *o)
{
	if (o->reject && !(s->reject = fopen(o->reject, "a"))) {
		log_error(NULL, "%s: %s", o->reject, strerror(errno));
		return EX_CANTCREAT;
	}
	s->strict = o->strict;
	return 0;
}

void
cli_stream_close(struct record_stream *s)
{
	if (s->reject)
		fclose(s->reject);
	s->reject = NULL;
}
