// SPDX-License-Identifier: MIT
/* netdock network connect / disconnect: a network's plugins run for a netns, cached where libcni caches. */
#include "chain.h"
#include "container.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"
#include "record.h"
#include "rundir.h"

enum { OPT_IP = CLI_OPT_FIRST_OWN, OPT_IP6, OPT_ALIAS, OPT_LINK, OPT_NAME };

struct connect_args {
	const char *ip, *ip6, *name;
	struct nd_strv aliases, links;
};

static bool user_subnets(const struct cli_net *n)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(n->json, "netdock");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "userSubnets");

	return !m || cJSON_IsTrue(u); /* a conflist written by hand names its subnets */
}

/* Docker's checks of --ip / --ip6; appends the address to ips. */
static int static_ip(const struct cli_net *n, const char *ip, int family, cJSON *ips)
{
	const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(cli_net_ipam(n), "subnets"), *it;
	struct nd_addr a;
	bool inside = false;

	if (!ip)
		return 0;
	if (nd_addr_parse(ip, &a) < 0 || a.family != family)
		return cli_fail("invalid IPv%d address: %s", family == AF_INET ? 4 : 6, ip);
	if (!user_subnets(n))
		return cli_fail("user specified IP address is supported only when connecting to "
				"networks with user configured subnets");
	cJSON_ArrayForEach(it, subnets)
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "subnet");
		struct nd_prefix p;

		inside = inside || (cJSON_IsString(s) && nd_prefix_parse(s->valuestring, &p) == 0 &&
				    nd_prefix_contains(&p, &a));
	}
	if (!inside)
		return cli_fail("Invalid address %s: It does not belong to any of this network's "
				"subnets",
				ip);
	cJSON_AddItemToArray(ips, cJSON_CreateString(ip));
	return 0;
}

static cJSON *strv_json(const struct nd_strv *l)
{
	cJSON *a = cJSON_CreateArray();

	nd_strv_foreach(s, l)
		cJSON_AddItemToArray(a, cJSON_CreateString(s));
	return a;
}

/* Is (net, container) attached: a cache entry or a run-dir endpoint of that ID? */
static bool attached(const struct cli *c, const struct cli_net *n, const struct container *ct,
		     char *ifname)
{
	_cleanup_(cJSON_Deletep) cJSON *eps = cli_endpoints(c, n->name);
	char path[PATH_MAX];
	const cJSON *ep;

	for (unsigned i = 0; i < 64; i++) {
		snprintf(ifname, IFNAMSIZ, "eth%u", i);
		cache_path(c, n->name, ct->id, ifname, path, sizeof(path));
		if (access(path, F_OK) == 0)
			return true;
	}
	ep = cJSON_GetObjectItemCaseSensitive(eps, ct->id);
	return ep != NULL;
}

static int do_connect(const struct cli *c, const struct cli_net *n, const struct container *ct,
		      const struct connect_args *a)
{
	_cleanup_(cJSON_Deletep) cJSON *caps = cJSON_CreateObject(), *result = NULL;
	cJSON *ips = cJSON_AddArrayToObject(caps, "ips");
	char ifname[IFNAMSIZ], cni_args[512], err[1024];
	const char *name = a->name ? a->name : ct->name;
	struct chain_call call = { .verb = "ADD", .container_id = ct->id, .netns = ct->netns };
	int r = static_ip(n, a->ip, AF_INET, ips);

	if (r == 0)
		r = static_ip(n, a->ip6, AF_INET6, ips);
	if (r)
		return r;
	if (attached(c, n, ct, ifname))
		return cli_fail("endpoint with name %s already exists in network %s", name,
				n->name);
	if (cJSON_GetArraySize(ips) == 0)
		cJSON_DeleteItemFromObject(caps, "ips");
	if (a->aliases.n)
		cJSON_AddItemToObject(caps, "aliases", strv_json(&a->aliases));
	if (a->links.n)
		cJSON_AddItemToObject(caps, "links", strv_json(&a->links));
	cache_next_ifname(c, ct->id, ifname);
	snprintf(cni_args, sizeof(cni_args), "IgnoreUnknown=1;K8S_POD_NAME=%s", name);
	call.ifname = ifname;
	call.cni_args = cni_args;
	call.cap_args = caps;
	r = chain_run(c, n, &call, &result, err, sizeof(err));
	if (r < 0)
		return cli_fail("%s", err);
	r = cache_write(c, n, ct, ifname, cni_args, caps, result);
	if (r < 0)
		return cli_fail("caching the result in %s/results: %s", c->cache_dir, strerror(-r));
	return 0;
}

static const struct option connect_opts[] = {
	{ "ip", required_argument, NULL, OPT_IP },
	{ "ip6", required_argument, NULL, OPT_IP6 },
	{ "alias", required_argument, NULL, OPT_ALIAS },
	{ "link", required_argument, NULL, OPT_LINK },
	{ "name", required_argument, NULL, OPT_NAME },
	CLI_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* Loads the conf dir and resolves NETWORK and CONTAINER, printing Docker's errors. */
static int lookup(const struct cli *c, const char *net_ref, const char *ct_ref, bool force,
		  struct cli_net **nets, size_t *n, struct cli_net **net, struct container *ct)
{
	int r = cli_nets_load(c, nets, n);

	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	*net = cli_net_find(*nets, *n, net_ref);
	if (!*net)
		return cli_fail("network %s not found", net_ref);
	r = container_resolve(ct_ref, ct);
	if (r == -EINVAL || (r < 0 && !force))
		return cli_fail("No such container: %s", ct_ref);
	return 0;
}

int cli_connect(struct cli *c, int argc, char **argv)
{
	struct connect_args a = { 0 };
	struct cli_net *nets = NULL, *net = NULL;
	struct container ct;
	size_t n = 0;
	int o, r;

	while ((o = cli_getopt(c, argc, argv, "", connect_opts)) >= 0) {
		if (o == OPT_IP)
			a.ip = optarg;
		else if (o == OPT_IP6)
			a.ip6 = optarg;
		else if (o == OPT_NAME)
			a.name = optarg;
		else if (cli_strv_add(o == OPT_ALIAS ? &a.aliases : &a.links, optarg) < 0)
			o = CLI_GETOPT_ERROR;
		if (o < 0)
			break;
	}
	if (o != -1)
		r = cli_getopt_exit(o);
	else if (argc - optind != 2)
		r = cli_args_fail(c, "requires exactly 2 arguments");
	else if (a.name && !nd_name_valid(a.name))
		r = cli_fail("invalid container name \"%s\"", a.name);
	else
		r = lookup(c, argv[optind], argv[optind + 1], false, &nets, &n, &net, &ct);
	if (o == -1 && r == 0)
		r = do_connect(c, net, &ct, &a);
	cli_nets_free(nets, n);
	nd_strv_clear(&a.aliases);
	nd_strv_clear(&a.links);
	return r;
}

/* The attachment to undo: ours (the cache) or any runtime's endpoint with that ID or name. */
static int find_attachment(const struct cli *c, const struct cli_net *n, struct container *ct,
			   const char *ref, char *ifname)
{
	_cleanup_(cJSON_Deletep) cJSON *eps = cli_endpoints(c, n->name);
	const cJSON *ep;

	if (attached(c, n, ct, ifname) && !cJSON_GetObjectItemCaseSensitive(eps, ct->id))
		return 0;
	cJSON_ArrayForEach(ep, eps)
	{
		const cJSON *name = cJSON_GetObjectItemCaseSensitive(ep, "Name");
		struct nd_endpoint_record e;
		_cleanup_(closep) int run = nd_dir_open(c->run_dir, false);
		char file[300];

		if (strcmp(ep->string, ct->id) && strcmp(ep->string, ref) &&
		    strcmp(name->valuestring, ref))
			continue;
		snprintf(ct->id, sizeof(ct->id), "%s", ep->string);
		/* The ifname and netns are in the record (the file name is <id>-<ifname>.json). */
		for (unsigned i = 0; run >= 0 && i < 64; i++) {
			snprintf(ifname, IFNAMSIZ, "eth%u", i);
			if (nd_endpoint_record_filename(ct->id, ifname, file, sizeof(file)) == 0 &&
			    nd_endpoint_record_read(run, n->name, ct->id, ifname, &e) == 0) {
				if (!ct->netns[0] || !ct->exists)
					snprintf(ct->netns, sizeof(ct->netns), "%s", e.netns);
				nd_endpoint_record_clear(&e);
				return 0;
			}
		}
	}
	return -ENOENT;
}

static int do_disconnect(const struct cli *c, const struct cli_net *n, struct container *ct,
			 const char *ref, bool force)
{
	_cleanup_(cJSON_Deletep) cJSON *cached = NULL, *caps = NULL;
	char ifname[IFNAMSIZ], path[PATH_MAX], err[1024], args[512] = "";
	struct chain_call call = { .verb = "DEL" };
	const cJSON *pairs, *p;
	int r = find_attachment(c, n, ct, ref, ifname);

	if (r < 0 && !ct->exists)
		return cli_fail("No such container: %s", ref);
	if (r < 0)
		return cli_fail("container %s is not connected to network %s", ct->id, n->name);
	cached = cache_read(c, n->name, ct->id, ifname);
	pairs = cJSON_GetObjectItemCaseSensitive(cached, "cniArgs");
	cJSON_ArrayForEach(p, pairs)
	{
		size_t len = strlen(args);

		snprintf(args + len, sizeof(args) - len, "%s%s=%s", len ? ";" : "",
			 cJSON_GetArrayItem(p, 0)->valuestring,
			 cJSON_GetArrayItem(p, 1)->valuestring);
	}
	caps = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cached, "capabilityArgs"), true);
	call.container_id = ct->id;
	call.netns = ct->netns;
	call.ifname = ifname;
	call.cni_args = args[0] ? args : NULL;
	call.cap_args = caps;
	call.prev_result = cJSON_GetObjectItemCaseSensitive(cached, "result");
	r = chain_run(c, n, &call, NULL, err, sizeof(err));
	if (r < 0 && !force)
		return cli_fail("%s", err);
	cache_path(c, n->name, ct->id, ifname, path, sizeof(path));
	unlink(path);
	return 0;
}

static const struct option disconnect_opts[] = {
	{ "force", no_argument, NULL, 'f' },
	CLI_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

int cli_disconnect(struct cli *c, int argc, char **argv)
{
	struct cli_net *nets = NULL, *net = NULL;
	struct container ct;
	bool force = false;
	size_t n = 0;
	int o, r;

	while ((o = cli_getopt(c, argc, argv, "f", disconnect_opts)) >= 0)
		force = force || o == 'f';
	if (o != -1)
		return cli_getopt_exit(o);
	if (argc - optind != 2)
		return cli_args_fail(c, "requires exactly 2 arguments");
	/* A container that is gone can still be named by its endpoint's name or ID. */
	r = lookup(c, argv[optind], argv[optind + 1], true, &nets, &n, &net, &ct);
	if (r == 0)
		r = do_disconnect(c, net, &ct, argv[optind + 1], force);
	cli_nets_free(nets, n);
	return r;
}
