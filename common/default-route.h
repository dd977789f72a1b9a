/* SPDX-License-Identifier: MIT */
/*
 * Docker's rule for a container on several networks: the default route
 * comes from the lexically first network it is attached to that is not
 * internal. Re-evaluated from the run-dir records on every ADD and DEL.
 */
#ifndef ND_DEFAULT_ROUTE_H
#define ND_DEFAULT_ROUTE_H

#include <net/if.h>

#include "cni.h"
#include "ip.h"

struct nd_route_owner {
	char net[CNI_MAX_NAME]; /* "" when no attachment can provide one */
	char ifname[IFNAMSIZ];
	struct nd_addr gw4;
	struct nd_addr gw6;
};

/*
 * In the calling thread's netns (the container's): picks the owner among
 * cid's endpoints in the run dir (run_dirfd < 0: none), then points the IPv4
 * and IPv6 default routes at its gateways, or removes them when there is no
 * owner or it lacks that family. *ret gets the owner chosen.
 *
 * The candidates are the container's own interfaces, each looked up by name
 * in every network's endpoint directory, so the cost follows the container's
 * networks, never the number of containers on them.
 */
int nd_default_route_update(int run_dirfd, const char *cid, struct nd_route_owner *ret);

#endif
