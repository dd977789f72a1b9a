// SPDX-License-Identifier: MIT
/* netdock: `netdock network …`, Docker's network commands over CNI conflists. */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int cli_usage_fail(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nSee 'netdock network %s --help'.\n", c->cmd);
	return CLI_EXIT_USAGE;
}

int cli_args_fail(const struct cli *c, const char *need)
{
	fprintf(stderr,
		"\"netdock network %s\" %s.\nSee 'netdock network %s --help'.\n\n"
		"Usage:  netdock network %s\n",
		c->cmd, need, c->cmd, cli_usage_line(c->cmd));
	return CLI_EXIT_FAIL;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

struct verb {
	const char *name;
	const char *alias;
	int (*run)(struct cli *c, int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "create", NULL, cli_create },		{ "ls", "list", cli_ls },
	{ "inspect", NULL, cli_inspect },	{ "connect", NULL, cli_connect },
	{ "disconnect", NULL, cli_disconnect }, { "rm", "remove", cli_rm },
	{ "prune", NULL, cli_prune },
};

static int network(struct cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_help("");
		return 0;
	}
	for (size_t i = 0; i < ND_ARRAY_SIZE(verbs); i++) {
		const struct verb *v = &verbs[i];

		if (strcmp(argv[1], v->name) && !(v->alias && !strcmp(argv[1], v->alias)))
			continue;
		c->cmd = v->name;
		return v->run(c, argc - 1, argv + 1);
	}
	fprintf(stderr, "netdock: 'network %s' is not a netdock command.\n", argv[1]);
	fputs("See 'netdock network --help'.\n", stderr);
	return CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
	struct cli c = {
		.conf_dir = env_or("NETDOCK_CNI_CONF_DIR", CLI_CONF_DIR_DEFAULT),
		.cni_path = env_or("CNI_PATH", CLI_CNI_PATH_DEFAULT),
		.cache_dir = env_or("NETDOCK_CNI_CACHE_DIR", CLI_CACHE_DIR_DEFAULT),
		.run_dir = env_or("NETDOCK_RUN_DIR", "/run/netdock"),
		.cmd = "",
	};
	int i = 1;

	/* A plugin that exits before reading all of its stdin must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	/* Global flags before the management command: --conf-dir only. */
	while (i < argc && !strncmp(argv[i], "--conf-dir", 10)) {
		if (argv[i][10] == '=') {
			c.conf_dir = argv[i] + 11;
			i++;
		} else if (argv[i][10] == '\0' && i + 1 < argc) {
			c.conf_dir = argv[i + 1];
			i += 2;
		} else {
			break;
		}
	}
	if (i < argc && !strcmp(argv[i], "network"))
		return network(&c, argc - i, argv + i);
	if (i >= argc || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
		fputs("\nUsage:  netdock [--conf-dir DIR] network COMMAND\n\n"
		      "Docker's network commands for CNI hosts\n\n"
		      "Management Commands:\n"
		      "  network     Manage networks\n\n"
		      "Run 'netdock network --help' for more information.\n",
		      stdout);
		return i >= argc ? CLI_EXIT_FAIL : 0;
	}
	fprintf(stderr, "netdock: '%s' is not a netdock command.\nSee 'netdock --help'\n", argv[i]);
	return CLI_EXIT_FAIL;
}
