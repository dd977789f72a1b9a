// SPDX-License-Identifier: MIT
/* Command-line parsing with pflag's (Docker's) error messages and exit code 125. */
#include "args.h"

#include <stdio.h>
#include <string.h>

int cli_getopt(struct cli *c, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	char opts[64];

	snprintf(opts, sizeof(opts), ":%s",
		 shortopts); /* ':' first: missing arguments return ':' */
	opterr = 0;
	for (;;) {
		int o = getopt_long(argc, argv, opts, longopts, NULL);
		const char *arg = argv[optind - 1];

		switch (o) {
		case CLI_OPT_HELP:
			cli_help(c->cmd);
			return CLI_GETOPT_HELP;
		case CLI_OPT_CONF_DIR:
			c->conf_dir = optarg;
			continue;
		case '?':
			if (optopt)
				cli_usage_fail(c, "unknown shorthand flag: '%c' in -%c", optopt,
					       optopt);
			else
				cli_usage_fail(c, "unknown flag: %s", arg);
			return CLI_GETOPT_ERROR;
		case ':':
			if (arg[0] == '-' && arg[1] == '-')
				cli_usage_fail(c, "flag needs an argument: %s", arg);
			else
				cli_usage_fail(c, "flag needs an argument: '%c' in -%c", optopt,
					       optopt);
			return CLI_GETOPT_ERROR;
		default:
			return o;
		}
	}
}

int cli_strv_add(struct nd_strv *l, const char *s)
{
	if (nd_strv_push(l, s) < 0) {
		cli_fail("out of memory");
		return CLI_GETOPT_ERROR;
	}
	return 0;
}
