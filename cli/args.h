/* SPDX-License-Identifier: MIT */
/* getopt_long with Docker's messages; every command also takes --help and --conf-dir. */
#ifndef NETDOCK_CLI_ARGS_H
#define NETDOCK_CLI_ARGS_H

#include <getopt.h>

#include "cli.h"

enum { CLI_OPT_HELP = 1000, CLI_OPT_CONF_DIR, CLI_OPT_FIRST_OWN };
enum { CLI_GETOPT_HELP = -2, CLI_GETOPT_ERROR = -3 };

#define CLI_COMMON_OPTS                                               \
	{ "help", no_argument, NULL, CLI_OPT_HELP },                  \
	{                                                             \
		"conf-dir", required_argument, NULL, CLI_OPT_CONF_DIR \
	}

/*
 * The next option of the command, -1 after the last one, CLI_GETOPT_HELP
 * after printing the help, CLI_GETOPT_ERROR after printing pflag's error.
 */
int cli_getopt(struct cli *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
/* Exit code for a CLI_GETOPT_* value. */
static inline int cli_getopt_exit(int o)
{
	return o == CLI_GETOPT_HELP ? 0 : CLI_EXIT_USAGE;
}
int cli_strv_add(struct nd_strv *l, const char *s);

#endif
