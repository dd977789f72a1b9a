// SPDX-License-Identifier: MIT
/* The default route of a multi-network container, chosen from the run-dir records. */
#include "default-route.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "link.h"
#include "record.h"
#include "rundir.h"

/* The container interface that endpoints/<net>/ holds a record of, if any. */
static const char *attached(int endpoints_fd, const char *net, const char *cid,
			    const struct nd_strv *ifnames)
{
	nd_strv_foreach(ifname, ifnames) {
		char path[2 * NAME_MAX + 2];

		snprintf(path, sizeof(path), "%s/%s-%s.json", net, cid, ifname);
		if (faccessat(endpoints_fd, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
			return ifname;
	}
	return NULL;
}

static void take_gateways(const struct nd_net_record *n, struct nd_route_owner *o)
{
	for (size_t i = 0; i < n->n_subnets; i++) {
		const struct nd_addr *gw = &n->subnets[i].gateway;

		if (gw->family == AF_INET && !nd_addr_is_set(&o->gw4))
			o->gw4 = *gw;
		if (gw->family == AF_INET6 && !nd_addr_is_set(&o->gw6))
			o->gw6 = *gw;
	}
}

static bool better(const char *candidate, const struct nd_route_owner *o)
{
	return !o->net[0] || strcmp(candidate, o->net) < 0;
}

static int pick_owner(int run_dirfd, const char *cid, const struct nd_strv *ifnames,
		      struct nd_route_owner *ret)
{
	_cleanup_(closep) int endpoints = nd_subdir_open(run_dirfd, "endpoints", false);
	_cleanup_(closedirp) DIR *d = NULL;
	struct nd_route_owner best = { .net = "" };
	struct dirent *de;
	int r;

	*ret = best;
	if (endpoints < 0)
		return endpoints == -ENOENT ? 0 : endpoints;
	r = nd_dir_stream(endpoints, ".", &d);
	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		struct nd_net_record n;
		const char *ifname;

		if (de->d_name[0] == '.' || !better(de->d_name, &best) ||
		    !(ifname = attached(endpoints, de->d_name, cid, ifnames)) ||
		    nd_net_record_read(run_dirfd, de->d_name, &n) < 0)
			continue;
		if (!n.internal && (nd_addr_is_set(&n.subnets[0].gateway) || n.n_subnets > 1)) {
			best = (struct nd_route_owner){ .net = "" };
			snprintf(best.net, sizeof(best.net), "%s", de->d_name);
			snprintf(best.ifname, sizeof(best.ifname), "%s", ifname);
			take_gateways(&n, &best);
		}
		nd_net_record_clear(&n);
	}
	*ret = best;
	return 0;
}

static int apply_family(struct nd_nl *nl, int family, const struct nd_addr *gw, int ifindex)
{
	struct nd_prefix any = { .addr = { .family = family }, .len = 0 };

	int r;

	if (ifindex > 0 && nd_addr_is_set(gw))
		return nd_route_replace(nl, &any, gw, ifindex);
	r = nd_route_del(nl, &any);
	/* IPv6 switched off in the container: there is no route to remove. */
	return r == -EAFNOSUPPORT || r == -EOPNOTSUPP ? 0 : r;
}

static int apply(struct nd_nl *nl, const struct nd_route_owner *owner)
{
	int ifindex = 0, r;

	if (owner->net[0]) {
		ifindex = nd_link_index(nl, owner->ifname);
		if (ifindex < 0)
			ifindex = 0;
	}
	r = apply_family(nl, AF_INET, &owner->gw4, ifindex);
	if (r >= 0)
		r = apply_family(nl, AF_INET6, &owner->gw6, ifindex);
	return r;
}

int nd_default_route_update(int run_dirfd, const char *cid, struct nd_route_owner *ret)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	_cleanup_(nd_strv_clear) struct nd_strv ifnames = { 0 };
	int r = nd_nl_open(&nl);

	*ret = (struct nd_route_owner){ .net = "" };
	if (r >= 0)
		r = nd_link_names(nl, &ifnames);
	if (r >= 0 && run_dirfd >= 0)
		r = pick_owner(run_dirfd, cid, &ifnames, ret);
	if (r >= 0)
		r = apply(nl, ret);
	return r;
}
