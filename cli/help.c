// SPDX-License-Identifier: MIT
/* --help texts, in the shape of Docker 20.10's, plus the options netdock adds. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct cli_help_text {
	const char *cmd;
	const char *usage; /* after "netdock network " */
	const char *what;
	const char *aliases;
	const char *options;
};

static const char common_opts[] =
	"      --conf-dir string     CNI configuration directory (default \"/etc/cni/net.d\",\n"
	"                            or $NETDOCK_CNI_CONF_DIR)\n"
	"      --help                Print usage\n";

static const struct cli_help_text texts[] = {
	{ "create", "create [OPTIONS] NETWORK", "Create a network", NULL,
	  "      --attachable          Enable manual container attachment\n"
	  "      --aux-address map     Auxiliary IPv4 or IPv6 addresses used by\n"
	  "                            Network driver (default map[])\n"
	  "  -d, --driver string       Driver to manage the Network: bridge or overlay\n"
	  "                            (default \"bridge\")\n"
	  "      --gateway strings     IPv4 or IPv6 Gateway for the master subnet\n"
	  "      --internal            Restrict external access to the network\n"
	  "      --ip-range strings    Allocate container ip from a sub-range\n"
	  "      --ipv6                Enable IPv6 networking\n"
	  "      --label list          Set metadata on a network\n"
	  "  -o, --opt map             Set driver specific options (default map[])\n"
	  "      --subnet strings      Subnet in CIDR format that represents a\n"
	  "                            network segment\n" },
	{ "ls", "ls [OPTIONS]", "List networks", "ls, list",
	  "  -f, --filter filter       Provide filter values (e.g. 'driver=bridge')\n"
	  "      --format string       Pretty-print networks using a Go template\n"
	  "      --no-trunc            Do not truncate the output\n"
	  "  -q, --quiet               Only display network IDs\n" },
	{ "inspect", "inspect [OPTIONS] NETWORK [NETWORK...]",
	  "Display detailed information on one or more networks", NULL,
	  "  -f, --format string       Format the output using the given Go template\n" },
	{ "connect", "connect [OPTIONS] NETWORK CONTAINER",
	  "Connect a container to a network\n\n"
	  "CONTAINER is a named network namespace (ip netns), the path of a network\n"
	  "namespace, or the PID of a process in it.",
	  NULL,
	  "      --alias strings       Add network-scoped alias for the container\n"
	  "      --ip string           IPv4 address (e.g., 172.30.100.104)\n"
	  "      --ip6 string          IPv6 address (e.g., 2001:db8::33)\n"
	  "      --link list           Add link to another container\n"
	  "      --name string         Container name (default: the namespace's name)\n" },
	{ "disconnect", "disconnect [OPTIONS] NETWORK CONTAINER",
	  "Disconnect a container from a network", NULL,
	  "  -f, --force               Force the container to disconnect from a network\n" },
	{ "rm", "rm NETWORK [NETWORK...]", "Remove one or more networks", "rm, remove", "" },
	{ "prune", "prune [OPTIONS]", "Remove all unused networks", NULL,
	  "  -f, --force               Do not prompt for confirmation\n" },
};

static const struct cli_help_text *find(const char *cmd)
{
	for (size_t i = 0; i < ND_ARRAY_SIZE(texts); i++)
		if (!strcmp(texts[i].cmd, cmd))
			return &texts[i];
	return NULL;
}

const char *cli_usage_line(const char *cmd)
{
	const struct cli_help_text *t = find(cmd);

	return t ? t->usage : "COMMAND";
}

void cli_help(const char *cmd)
{
	const struct cli_help_text *t = find(cmd);

	if (!t) {
		fputs("\nUsage:  netdock network COMMAND\n\n"
		      "Manage networks (CNI conflists, attachments, the run dir)\n\n"
		      "Commands:\n"
		      "  connect     Connect a container to a network\n"
		      "  create      Create a network\n"
		      "  disconnect  Disconnect a container from a network\n"
		      "  inspect     Display detailed information on one or more networks\n"
		      "  ls          List networks\n"
		      "  prune       Remove all unused networks\n"
		      "  rm          Remove one or more networks\n\n"
		      "Run 'netdock network COMMAND --help' for more information on a command.\n",
		      stdout);
		return;
	}
	printf("\nUsage:  netdock network %s\n\n%s\n", t->usage, t->what);
	if (t->aliases)
		printf("\nAliases:\n  %s\n", t->aliases);
	printf("\nOptions:\n%s%s", t->options, common_opts);
}
