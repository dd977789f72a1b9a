/* SPDX-License-Identifier: MIT */
/* Bridge port flags over rtnetlink (AF_BRIDGE, IFLA_PROTINFO). */
#ifndef ND_BRPORT_H
#define ND_BRPORT_H

#include <stdbool.h>

#include "nl.h"

struct nd_brport_flags {
	bool hairpin; /* frames may leave by the port they came in on */
	bool isolated; /* no frames to or from other isolated ports (icc off) */
};

/*
 * Sets both flags of bridge port ifindex in one request. Over netlink, not
 * /sys/class/net/<port>/brport: sysfs shows the devices of the netns it was
 * mounted in, which is not always the caller's (a runtime in a netns of its
 * own), and a write there that misses would leave icc on without a word.
 */
int nd_brport_set(struct nd_nl *nl, int ifindex, const struct nd_brport_flags *f);

#endif
