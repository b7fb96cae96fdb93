/* config: flags > environment > files, and the file format. */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

int
main(void)
{
	char err[256], path[] = "/tmp/inc-config-test.XXXXXX";
	int fd = mkstemp(path);
	long n;
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# comment\n\nexport SLACK_API_URL=http://127.0.0.1:9\n"
	    "GROQ_MODEL = \"quoted model\"\nJIRA_PROJECT='OPS'\n"
	    "INC_FROM_ENV=file\nINC_MAX_LINE=4K\nINC_BAD_NUM=12x\n", f);
	fclose(f);
	setenv("INC_CONFIG", path, 1);
	setenv("INC_FROM_ENV", "env", 1);
	CHECK(config_load(err, sizeof err) == 0);
	CHECK_STR(config_get("SLACK_API_URL", NULL), "http://127.0.0.1:9");
	CHECK_STR(config_get("GROQ_MODEL", NULL), "quoted model");
	CHECK_STR(config_get("JIRA_PROJECT", NULL), "OPS");
	CHECK_STR(config_get("INC_FROM_ENV", NULL), "env");
	CHECK_STR(config_get("UNSET_KEY", "dflt"), "dflt");
	config_set("INC_FROM_ENV", "flag");
	CHECK_STR(config_get("INC_FROM_ENV", NULL), "flag");
	CHECK(config_long("INC_MAX_LINE", 1, 1, 1L << 30, &n, err,
	    sizeof err) == 0 && n == 4096);
	CHECK(config_long("INC_BAD_NUM", 1, 1, 100, &n, err, sizeof err) < 0);
	CHECK_STR(err, "INC_BAD_NUM: must be a number in 1..100");
	CHECK(config_long("INC_NOT_SET", 7, 1, 100, &n, err,
	    sizeof err) == 0 && n == 7);
	setenv("INC_STATE_DIR", "/srv/inc", 1);
	CHECK_STR(config_state_dir(), "/srv/inc");

	/* A line that is not KEY=value is an error naming file and line. */
	f = fopen(path, "w");
	fputs("OK=1\nthis is not a setting\n", f);
	fclose(f);
	CHECK(config_load(err, sizeof err) < 0);
	CHECK(strstr(err, ": line 2: expected KEY=value") != NULL);
	unlink(path);
	/* INC_CONFIG naming a missing file is a mistake worth saying... */
	setenv("INC_CONFIG", "/nonexistent/inc.conf", 1);
	CHECK(config_load(err, sizeof err) < 0);
	CHECK_STR(err, "INC_CONFIG: /nonexistent/inc.conf: No such file or "
	    "directory");
	/* ... but the usual files are optional. */
	unsetenv("INC_CONFIG");
	setenv("HOME", "/nonexistent", 1);
	unsetenv("XDG_CONFIG_HOME");
	CHECK(chdir("/") == 0);
	CHECK(config_load(err, sizeof err) == 0);
	return unit_done();
}
