// SPDX-License-Identifier: MIT
/*
 * netdock network rm / prune: refused while endpoints are attached; else
 * the plugins' GC with no valid attachment removes what the network left
 * on the host (bridge, nftables elements, run-dir record, leases, the
 * registry entry of its subnet), then the conflist goes.
 */
#include "chain.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "args.h"

static int remove_net(const struct cli *c, const struct cli_net *n)
{
	struct chain_call call = { .verb = "GC", .gc_empty = true, .skip_missing = true };
	char err[1024], dir[PATH_MAX];
	int r;

	if (cli_endpoints_count(c, n->name) > 0)
		return cli_fail(
			"error while removing network: network %s id %s has active endpoints",
			n->name, n->id);
	r = chain_run(c, n, &call, NULL, err, sizeof(err));
	if (r < 0)
		return cli_fail("error while removing network: %s", err);
	/* GC forgot the subnet only if IPAM ran; the store's directory goes as well. */
	r = cli_subnets_unregister(n->name);
	if (r < 0)
		return cli_fail("error while removing network: IPAM state of %s: %s", n->name,
				strerror(-r));
	snprintf(dir, sizeof(dir), "%s/endpoints/%s", c->run_dir, n->name);
	rmdir(dir); /* bridge leaves the empty directory of the network's endpoints */
	if (unlink(n->file) < 0 && errno != ENOENT)
		return cli_fail("error while removing network: %s: %s", n->file, strerror(errno));
	return 0;
}

int cli_rm(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { CLI_COMMON_OPTS, { NULL, 0, NULL, 0 } };
	struct cli_net *nets = NULL;
	size_t n = 0;
	int o, r, rc = 0;

	while ((o = cli_getopt(c, argc, argv, "", opts)) >= 0)
		;
	if (o != -1)
		return cli_getopt_exit(o);
	if (argc - optind < 1)
		return cli_args_fail(c, "requires at least 1 argument");
	r = cli_nets_load(c, &nets, &n);
	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	for (int i = optind; i < argc; i++) {
		struct cli_net *net = cli_net_find(nets, n, argv[i]);

		if (!net)
			rc = cli_fail("No such network: %s", argv[i]);
		else if (remove_net(c, net))
			rc = CLI_EXIT_FAIL;
		else
			printf("%s\n", argv[i]);
	}
	cli_nets_free(nets, n);
	return rc;
}

static bool confirmed(void)
{
	char line[16] = "";

	fputs("WARNING! This will remove all custom networks not used by at least one container.\n"
	      "Are you sure you want to continue? [y/N] ",
	      stdout);
	fflush(stdout);
	return fgets(line, sizeof(line), stdin) && (line[0] == 'y' || line[0] == 'Y');
}

int cli_prune(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = { { "force", no_argument, NULL, 'f' },
					      CLI_COMMON_OPTS,
					      { NULL, 0, NULL, 0 } };
	struct cli_net *nets = NULL;
	bool force = false, any = false;
	size_t n = 0;
	int o, r;

	while ((o = cli_getopt(c, argc, argv, "f", opts)) >= 0)
		force = force || o == 'f';
	if (o != -1)
		return cli_getopt_exit(o);
	if (optind < argc)
		return cli_args_fail(c, "accepts no arguments");
	if (!force && !confirmed())
		return 0;
	r = cli_nets_load(c, &nets, &n);
	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	/* Only what netdock created: a conflist someone wrote by hand is theirs to remove. */
	for (size_t i = 0; i < n; i++) {
		if (!nets[i].ours || cli_endpoints_count(c, nets[i].name) > 0 ||
		    remove_net(c, &nets[i]))
			continue;
		printf("%s%s\n", any ? "" : "Deleted Networks:\n", nets[i].name);
		any = true;
	}
	if (any)
		printf("\n");
	cli_nets_free(nets, n);
	return 0;
}
