// SPDX-License-Identifier: MIT
/*
 * Every subnet's gateway on the bridge from the network's first ADD on a
 * host, not only those of the subnets its containers got addresses from: a
 * container of one subnet reaches a container of another subnet on another
 * host through its own host's gateway (the anycast gateway of the seed's
 * two-subnet network).
 */
#include "overlay.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"
#include "conf.h"
#include "link.h"
#include "record.h"

static int gateway_of(const cJSON *s, struct nd_prefix *ret)
{
	const cJSON *subnet = cJSON_GetObjectItemCaseSensitive(s, "subnet");
	const cJSON *gw = cJSON_GetObjectItemCaseSensitive(s, "gateway");
	struct nd_prefix p;

	if (!cJSON_IsString(subnet) || nd_prefix_parse(subnet->valuestring, &p) < 0)
		return -EINVAL;
	ret->len = p.len;
	if (cJSON_IsString(gw))
		return nd_addr_parse(gw->valuestring, &ret->addr);
	/* ipam-subnet's default: the subnet's first address. */
	p = nd_prefix_network(&p);
	ret->addr = nd_addr_add(&p.addr, 1);
	return 0;
}

int overlay_gateways_add(struct cni_ctx *ctx, struct nd_nl *nl, int bridge_ifindex)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(ctx->conf, "ipam");
	const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(ipam, "subnets"), *s;
	int r;

	cJSON_ArrayForEach(s, subnets)
	{
		struct nd_prefix gw;

		if (gateway_of(s, &gw) < 0)
			continue; /* ipam-subnet names the bad field when it parses the same */
		r = nd_ifaddr_add(nl, bridge_ifindex, &gw.addr, gw.len);
		if (r < 0) {
			char a[ND_PREFIX_STRLEN];

			return cni_fail(ctx, ND_ERR_KERNEL, r, "gateway %s on the bridge: %s",
					nd_prefix_to_str(&gw, a), strerror(-r));
		}
	}
	return 0;
}

/*
 * The network record lists every configured subnet, not only those of the
 * last attachment: dnsd listens on each gateway, and a host whose latest
 * container sits in the second subnet still answers the first one's.
 */
int overlay_record_subnets(struct cni_ctx *ctx, int run_fd)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(ctx->conf, "ipam");
	const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(ipam, "subnets"), *s;
	struct nd_net_record n;
	bool changed = false;
	int r = nd_net_record_read(run_fd, ctx->net_name, &n);

	if (r < 0)
		return 0; /* the bridge steps wrote none: nothing to complete */
	cJSON_ArrayForEach(s, subnets)
	{
		struct nd_prefix gw, net;
		bool seen = false;

		if (gateway_of(s, &gw) < 0 || n.n_subnets == ND_RECORD_MAX_SUBNETS)
			continue;
		net = nd_prefix_network(&gw);
		for (size_t i = 0; i < n.n_subnets && !seen; i++)
			seen = n.subnets[i].subnet.len == net.len &&
			       nd_addr_equal(&n.subnets[i].subnet.addr, &net.addr);
		if (seen)
			continue;
		n.subnets[n.n_subnets++] =
			(struct nd_subnet_record){ .subnet = net, .gateway = gw.addr };
		changed = true;
	}
	if (changed)
		r = nd_net_record_write(run_fd, &n);
	nd_net_record_clear(&n);
	return r < 0 ? cni_fail(ctx, CNI_ERR_IO, r, "completing networks/%s.json: %s",
				ctx->net_name, strerror(-r)) :
		       0;
}
