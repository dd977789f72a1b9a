// SPDX-License-Identifier: MIT
/* What this attachment tells the rest of netdock: run-dir records and nftables set members. */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "rundir.h"

static void subnets_of(const struct cni_result *res, struct nd_net_record *n)
{
	for (size_t i = 0; i < res->n_ips && n->n_subnets < ND_RECORD_MAX_SUBNETS; i++) {
		struct nd_prefix net = nd_prefix_network(&res->ips[i].address);
		bool seen = false;

		for (size_t j = 0; j < n->n_subnets; j++)
			seen = seen || (nd_addr_equal(&n->subnets[j].subnet.addr, &net.addr) &&
					n->subnets[j].subnet.len == net.len);
		if (seen)
			continue;
		n->subnets[n->n_subnets].subnet = net;
		n->subnets[n->n_subnets].gateway = res->ips[i].gateway;
		n->n_subnets++;
		if (net.addr.family == AF_INET6)
			n->ipv6 = true;
	}
}

static int write_network(int run_fd, struct cni_ctx *ctx, const struct bridge_conf *c,
			 const struct cni_result *res)
{
	struct nd_net_record n = {
		.internal = c->internal, .ipv6 = c->ipv6, .mtu = c->mtu, .dns = c->dns
	};

	snprintf(n.name, sizeof(n.name), "%s", ctx->net_name);
	/* "bridge" or "overlay": the plugin running these steps. */
	snprintf(n.driver, sizeof(n.driver), "%s",
		 ctx->plugin && ctx->plugin->name ? ctx->plugin->name : "bridge");
	snprintf(n.bridge, sizeof(n.bridge), "%s", c->bridge);
	subnets_of(res, &n);
	/* Borrowed lists: the record is written, not kept. */
	n.option_keys = c->option_keys;
	n.option_values = c->option_values;
	return nd_net_record_write(run_fd, &n);
}

static int write_endpoint(int run_fd, struct cni_ctx *ctx, const struct cni_result *res,
			  const char *host_ifname, const char *mac)
{
	struct nd_endpoint_record e = { .aliases = ctx->rt.aliases, .links = ctx->rt.links };

	snprintf(e.container_id, sizeof(e.container_id), "%s", ctx->container_id);
	snprintf(e.ifname, sizeof(e.ifname), "%s", ctx->ifname);
	snprintf(e.netns, sizeof(e.netns), "%s", ctx->netns ? ctx->netns : "");
	snprintf(e.name, sizeof(e.name), "%s", ctx->rt.name);
	snprintf(e.namespace, sizeof(e.namespace), "%s", ctx->rt.k8s_namespace);
	for (size_t i = 0; i < res->n_ips && i < ND_RECORD_MAX_IPS; i++)
		e.ips[e.n_ips++] = res->ips[i].address;
	snprintf(e.mac, sizeof(e.mac), "%s", mac);
	snprintf(e.host_ifname, sizeof(e.host_ifname), "%s", host_ifname);
	return nd_endpoint_record_write(run_fd, ctx->net_name, &e);
}

int bridge_write_records(struct cni_ctx *ctx, int run_fd, const struct bridge_conf *c,
			 const struct cni_result *res, const char *host_ifname, const char *mac)
{
	int r = write_network(run_fd, ctx, c, res);
	if (r >= 0)
		r = write_endpoint(run_fd, ctx, res, host_ifname, mac);
	if (r < 0)
		return cni_fail(ctx, CNI_ERR_IO, r, "writing run-dir records of %s: %s",
				ctx->net_name, strerror(-r));
	return 0;
}

static void isolation_subnet_add(struct nd_isolation_net *n, const struct nd_prefix *p)
{
	struct nd_prefix net = nd_prefix_network(p);

	for (size_t i = 0; i < n->n_subnets; i++)
		if (n->subnets[i].len == net.len && nd_addr_equal(&n->subnets[i].addr, &net.addr))
			return;
	if (n->n_subnets < ND_ISOLATION_MAX_SUBNETS)
		n->subnets[n->n_subnets++] = net;
}

/*
 * The subnets the config names (ipam.subnets[].subnet, ipam-subnet's form):
 * the network's masquerade elements hold all of them from its first ADD on
 * a host, whichever subnet its first containers got, so they are the same
 * on every host of an overlay. What does not parse is ipam's to refuse.
 */
void bridge_isolation_configured(const cJSON *conf, struct nd_isolation_net *ret)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(conf, "ipam");
	const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(ipam, "subnets"), *s;

	if (!cJSON_IsArray(subnets))
		return;
	cJSON_ArrayForEach(s, subnets)
	{
		const cJSON *subnet = cJSON_GetObjectItemCaseSensitive(s, "subnet");
		struct nd_prefix p;

		if (cJSON_IsString(subnet) && nd_prefix_parse(subnet->valuestring, &p) == 0)
			isolation_subnet_add(ret, &p);
	}
}

void bridge_isolation_of(const cJSON *conf, const struct bridge_conf *c,
			 const struct cni_result *res, struct nd_isolation_net *ret)
{
	*ret = (struct nd_isolation_net){ .bridge = c->bridge,
					  .internal = c->internal,
					  .masquerade = c->ip_masq };
	for (size_t i = 0; i < res->n_ips; i++)
		isolation_subnet_add(ret, &res->ips[i].address);
	bridge_isolation_configured(conf, ret);
}
