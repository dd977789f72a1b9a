/* SPDX-License-Identifier: MIT */
/* rtnetlink through libnl-route: one socket per namespace, the kernel's errno and ext-ack kept. */
#ifndef ND_NL_H
#define ND_NL_H

#include <stdbool.h>
#include <stddef.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

#include "cleanup.h"
#include "ip.h"

struct nd_nl {
	struct nl_sock *sk;
	int kernel_err; /* last nlmsgerr->error seen (negative errno), 0 if none */
	char ext_ack[256]; /* the kernel's extended-ack text for it, "" if none */
};

/* Opens a route socket in the calling thread's current netns. */
int nd_nl_open(struct nd_nl **ret);
void nd_nl_close(struct nd_nl *nl);
ND_CLEANUP(struct nd_nl *, nd_nl_close)

/*
 * Turns a libnl return value into 0 or a negative errno, preferring the
 * kernel's own errno (libnl folds several into one -NLE_* code: its -6 means
 * "exists", not -ENXIO). Clears the recorded error when r >= 0.
 */
int nd_nl_result(struct nd_nl *nl, int r);

ND_CLEANUP(struct rtnl_link *, rtnl_link_put)
ND_CLEANUP(struct rtnl_addr *, rtnl_addr_put)
ND_CLEANUP(struct rtnl_route *, rtnl_route_put)
ND_CLEANUP(struct nl_addr *, nl_addr_put)
ND_CLEANUP(struct nl_cache *, nl_cache_free)

/* nd_addr/nd_prefix as a new nl_addr (prefix length set). NULL on ENOMEM. */
struct nl_addr *nd_nl_addr(const struct nd_addr *a, unsigned prefixlen);

/* Network namespaces: enter by path, and back. */
int nd_netns_open(const char *path); /* fd or -errno; -EINVAL when not a network namespace */
/* Switches the calling thread into netns fd; *ret_orig gets an fd of the netns left. */
int nd_netns_enter(int fd, int *ret_orig);
/* Switches back and closes orig. Returns 0 or -errno. */
int nd_netns_leave(int orig);

#endif
