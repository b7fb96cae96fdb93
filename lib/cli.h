/*
 * cli: the command-line habits every stage shares (DESIGN §3), written
 * once: -h/--help, -V/--version, -q/--quiet, --strict, --reject FILE,
 * --dry-run, how a usage error reads ("inc-x: why ARG", then the usage,
 * exit 64), and the reject file and --strict of the record stream.
 *
 * A command lists the shared long options it takes beside its own and
 * hands every option it does not know itself to cli_option():
 *
 *	static const struct option longopts[] = {
 *		{ "min-severity", required_argument, NULL, 'm' },
 *		CLI_OPT_STRICT, CLI_OPT_REJECT, CLI_OPT_HELP,
 *		{ NULL, 0, NULL, 0 },
 *	};
 *	...
 *	default:
 *		cli_option(c, USAGE, &o->cli);
 */
#ifndef INC_CLI_H
#define INC_CLI_H

#include <getopt.h>

struct record_stream;

struct cli_opts {
	int dry_run;		/* -n, --dry-run */
	int strict;		/* --strict */
	int quiet;		/* -q, --quiet */
	const char *reject;	/* --reject FILE */
};

#define CLI_OPT_DRY_RUN	{ "dry-run", no_argument, NULL, 'n' }
#define CLI_OPT_STRICT	{ "strict", no_argument, NULL, 'S' }
#define CLI_OPT_REJECT	{ "reject", required_argument, NULL, 'R' }
#define CLI_OPT_QUIET	{ "quiet", no_argument, NULL, 'q' }
#define CLI_OPT_HELP	{ "help", no_argument, NULL, 'h' }, \
			{ "version", no_argument, NULL, 'V' }

/* "PROG: msg arg" and the usage on stderr, then exit 64. */
void cli_usage_error(const char *usage, const char *msg, const char *arg)
	__attribute__((noreturn));

/* The same with a printf format: "PROG: " fmt, then the usage. */
void cli_usage_errorf(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * One of the shared options (n S R q h V) into o; -h prints the usage and
 * -V the version, and exit 0.  Anything else is a usage error: getopt has
 * said why already, so only the usage follows, and exit 64.
 */
void cli_option(int c, const char *usage, struct cli_opts *o);

/* After getopt, for a command that takes no operands: exit 64 if any. */
void cli_no_operands(int argc, char **argv, const char *usage);

/*
 * Open --reject's file (appending) and set --strict on the stream: 0, or
 * EX_CANTCREAT with the reason logged.  cli_stream_close() closes it.
 */
int cli_stream_open(struct record_stream *s, const struct cli_opts *o);
void cli_stream_close(struct record_stream *s);

#endif
