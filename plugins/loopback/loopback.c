// SPDX-License-Identifier: MIT
/* ADD, DEL and CHECK of lo inside the container's network namespace. */
#include "loopback.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "link.h"
#include "nl.h"

/* Runs step on lo inside CNI_NETNS; the thread is back in its own netns on return. */
static int in_container(struct cni_ctx *ctx, int (*step)(struct cni_ctx *, struct nd_nl *))
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	int orig = -1, r = cni_netns_enter(ctx, &orig);

	if (r < 0)
		return r;
	r = nd_nl_open(&nl);
	r = r < 0 ? cni_fail(ctx, ND_ERR_KERNEL, r, "netlink in %s: %s", ctx->netns, strerror(-r)) :
		    step(ctx, nl);
	nd_nl_close(steal_ptr(nl)); /* the socket belongs to the container's netns */
	nd_netns_leave(orig);
	return r;
}

/* The result lists the loopback addresses lo really has (no ::1 where IPv6 is off). */
static void report(struct cni_ctx *ctx, struct nd_nl *nl, int ifindex)
{
	static const char *const addrs[] = { "127.0.0.1/8", "::1/128" };
	struct cni_result *res = &ctx->result;

	*res = (struct cni_result){ .n_interfaces = 1 };
	strcpy(res->interfaces[0].name, "lo");
	strcpy(res->interfaces[0].mac, "00:00:00:00:00:00");
	snprintf(res->interfaces[0].sandbox, sizeof(res->interfaces[0].sandbox), "%s", ctx->netns);
	for (size_t i = 0; i < ND_ARRAY_SIZE(addrs); i++) {
		struct cni_ip *ip = &res->ips[res->n_ips];

		if (nd_prefix_parse(addrs[i], &ip->address) < 0 ||
		    nd_ifaddr_has(nl, ifindex, &ip->address.addr, ip->address.len) <= 0)
			continue;
		ip->interface = 0;
		res->n_ips++;
	}
	ctx->has_result = true;
}

static int lo_up(struct cni_ctx *ctx, struct nd_nl *nl)
{
	int ifindex = nd_link_index(nl, "lo"), r;

	r = ifindex < 0 ? ifindex : nd_link_set_up(nl, ifindex);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "setting lo up in %s: %s", ctx->netns,
				strerror(-r));
	report(ctx, nl, ifindex);
	return 0;
}

static int lo_is_up(struct cni_ctx *ctx, struct nd_nl *nl)
{
	struct nd_link_info info;
	int r = nd_link_info(nl, "lo", &info);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_CHECK, r, "lo in %s: %s", ctx->netns, strerror(-r));
	if (!info.up)
		return cni_fail(ctx, ND_ERR_CHECK, -ENETDOWN, "lo in %s is down", ctx->netns);
	return 0;
}

int loopback_add(struct cni_ctx *ctx)
{
	return in_container(ctx, lo_up);
}

int loopback_del(struct cni_ctx *ctx)
{
	return 0;
}

int loopback_check(struct cni_ctx *ctx)
{
	return in_container(ctx, lo_is_up);
}
