/*
 * log: one line per message on stderr, for people and for journald.
 *
 * Every command calls log_init() first with its name; messages then read
 * "inc-NAME: text" on a terminal, or one JSON object per line when
 * INC_LOG_FORMAT=json (the service sets it).  Each message may carry the
 * incident id it is about.  Text that could hold a credential (tokens,
 * Authorization headers, phone numbers) is redacted before it is written:
 * callers may pass API answers and URLs without scrubbing them first.
 *
 * lib/ code does not log on its own behalf: it returns an error and a reason,
 * and the command decides what to say.  Only cmd/ and the stream loops call
 * these functions.
 */
#ifndef INC_LOG_H
#define INC_LOG_H

#include <stddef.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Set the program name and read INC_LOG_FORMAT and INC_LOG_LEVEL. */
void log_init(const char *progname);

/*
 * Read INC_LOG_FORMAT and INC_LOG_LEVEL again through lib/config, so the
 * config files can set them too; call after config_load().
 */
void log_configure(void);

/* The name given to log_init(), for usage lines and messages. */
const char *log_prog(void);

/* Write one message.  id may be NULL.  The text is redacted first. */
void log_msg(enum log_level lvl, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_error(id, ...) log_msg(LOG_LVL_ERROR, (id), __VA_ARGS__)
#define log_warn(id, ...) log_msg(LOG_LVL_WARN, (id), __VA_ARGS__)
#define log_info(id, ...) log_msg(LOG_LVL_INFO, (id), __VA_ARGS__)
#define log_debug(id, ...) log_msg(LOG_LVL_DEBUG, (id), __VA_ARGS__)

/*
 * Replace secrets in s, in place (the result is never longer): bearer and
 * basic credentials, Slack/Groq/OpenAI/Jira-style tokens, key=… query
 * parameters, and all but the last 4 digits of phone numbers.
 */
void log_redact(char *s);

#endif
