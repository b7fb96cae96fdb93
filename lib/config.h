/*
 * config: settings by name, from flags, the environment and KEY=value files.
 *
 * Precedence is flags > environment > files (DESIGN §3).  The files are
 * read in order /etc/inc/inc.conf, $XDG_CONFIG_HOME/inc/inc.conf (or
 * ~/.config/inc/inc.conf), ./.env; a later file overrides an earlier one,
 * so the most specific wins.  INC_CONFIG names one file to read instead of
 * these (the service and the tests use it); it must exist.  The file format is the one of
 * systemd's EnvironmentFile=: KEY=value lines, '#' comments, optional
 * single or double quotes, an optional leading "export ".
 *
 * Names are the ones of DESIGN §3 (INC_STATE_DIR, SLACK_BOT_TOKEN, ...).
 * Values are owned by this module and live until exit.
 */
#ifndef INC_CONFIG_H
#define INC_CONFIG_H

#include <stddef.h>

/*
 * Read the config files.  Returns 0, or -1 with a message in err (file,
 * line and reason) when a file exists but cannot be read or parsed; a
 * missing file is not an error.
 */
int config_load(char *err, size_t errlen);

/* Set a value from a command-line flag; it beats every other source. */
void config_set(const char *key, const char *value);

/* The value of key, or def when it is unset or empty. */
const char *config_get(const char *key, const char *def);

/*
 * The value as a number within [min, max].  Returns 0 and sets *out (def
 * when unset), or -1 with a reason in err when the value is not a number
 * in range.
 */
int config_long(const char *key, long def, long min, long max, long *out,
    char *err, size_t errlen);

/*
 * The path of rel (e.g. "classify/rules") in the data that ships with inc:
 * INC_SHARE_DIR, else share/inc of the source tree the running program
 * was built in, else the installed $(PREFIX)/share/inc.  Returns out.
 */
char *config_share_path(const char *rel, char *out, size_t len);

/*
 * Where state lives: INC_STATE_DIR, else $XDG_STATE_HOME/inc, else
 * ~/.local/state/inc, else /var/lib/inc for a user without a home.
 */
const char *config_state_dir(void);

#endif
