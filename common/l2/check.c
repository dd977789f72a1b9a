// SPDX-License-Identifier: MIT
/* CHECK: the kernel and nftables still hold what ADD built; the first difference is named. */
#include "bridge.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "delegate.h"
#include "link.h"

__attribute__((format(printf, 2, 3))) static int differs(struct cni_ctx *ctx, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cni_fail(ctx, ND_ERR_CHECK, -EINVAL, "%s", msg);
}

static int check_host(struct cni_ctx *ctx, const struct bridge_conf *c)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	struct nd_link_info br, port;
	char host[IFNAMSIZ];
	int r = nd_nl_open(&nl);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "netlink: %s", strerror(-r));
	bridge_host_ifname(ctx->container_id, ctx->ifname, host);
	if (nd_link_info(nl, c->bridge, &br) < 0)
		return differs(ctx, "bridge %s is missing", c->bridge);
	if (nd_link_info(nl, host, &port) < 0)
		return differs(ctx, "host interface %s is missing", host);
	if (port.master != br.ifindex)
		return differs(ctx, "host interface %s is not a port of %s", host, c->bridge);
	return 0;
}

static const struct cni_iface *container_iface(const struct cni_ctx *ctx)
{
	const struct cni_result *prev = ctx->prev_result;

	for (size_t i = 0; i < prev->n_interfaces; i++)
		if (prev->interfaces[i].sandbox[0] &&
		    !strcmp(prev->interfaces[i].name, ctx->ifname))
			return &prev->interfaces[i];
	return NULL;
}

static int check_addresses(struct cni_ctx *ctx, struct nd_nl *nl, int ifindex)
{
	for (size_t i = 0; i < ctx->prev_result->n_ips; i++) {
		const struct cni_ip *ip = &ctx->prev_result->ips[i];
		char a[ND_PREFIX_STRLEN];

		if (nd_ifaddr_has(nl, ifindex, &ip->address.addr, ip->address.len) <= 0)
			return differs(ctx, "address %s is missing from %s",
				       nd_prefix_to_str(&ip->address, a), ctx->ifname);
	}
	return 0;
}

static int check_container(struct cni_ctx *ctx, const struct bridge_conf *c)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	const struct cni_iface *want = container_iface(ctx);
	struct nd_link_info info;
	char mac[18];
	int r = nd_nl_open(&nl);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "netlink: %s", strerror(-r));
	if (nd_link_info(nl, ctx->ifname, &info) < 0)
		return differs(ctx, "interface %s is missing in %s", ctx->ifname, ctx->netns);
	nd_mac_to_str(info.mac, mac);
	if (want && want->mac[0] && strcasecmp(want->mac, mac))
		return differs(ctx, "MAC of the container interface is %s, expected %s", mac,
			       want->mac);
	if (c->mtu && info.mtu != c->mtu)
		return differs(ctx, "MTU of %s is %u, expected %u", ctx->ifname, info.mtu, c->mtu);
	return check_addresses(ctx, nl, info.ifindex);
}

static int check_in_netns(struct cni_ctx *ctx, const struct bridge_conf *c)
{
	int orig = -1, r = cni_netns_enter(ctx, &orig);

	if (r < 0)
		return r;
	r = check_container(ctx, c);
	nd_netns_leave(orig);
	return r;
}

static int check_nft(struct cni_ctx *ctx, const struct bridge_conf *c)
{
	_cleanup_(nd_nft_txn_freep) struct nd_nft_txn *txn = NULL;
	struct nd_isolation_net iso;
	char missing[128];
	int r = nd_nft_txn_new(&txn);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_NFT, r, "nftables: %s", strerror(-r));
	bridge_isolation_of(ctx->conf, c, ctx->prev_result, &iso);
	if (nd_isolation_check(txn, &iso, missing, sizeof(missing)) < 0)
		return differs(ctx, "nftables: %s", missing);
	return 0;
}

int bridge_check(struct cni_ctx *ctx)
{
	struct bridge_conf c;
	int r = bridge_conf_parse(ctx, &c);

	if (r >= 0 && !ctx->prev_result)
		r = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			     "prevResult is required for CHECK");
	if (r >= 0)
		r = nd_delegate(ctx, c.ipam_type, CNI_CHECK, NULL);
	if (r >= 0)
		r = check_host(ctx, &c);
	if (r >= 0)
		r = check_in_netns(ctx, &c);
	if (r >= 0)
		r = check_nft(ctx, &c);
	if (r >= 0)
		r = bridge_hostfw_check(ctx, c.bridge);
	bridge_conf_clear(&c);
	return r;
}
