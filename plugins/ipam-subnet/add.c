// SPDX-License-Identifier: MIT
/* ADD: the attachment's earlier addresses, else its static ones, else one per family from the pool. */
#include "ipam-verbs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "ipam.h"
#include "store.h"

ND_CLEANUP(struct ipam_store *, ipam_store_close)

#define ETCD_DOWN "etcd is unreachable (tried %s)"

struct lease_set {
	struct nd_addr addrs[CNI_MAX_IPS];
	const struct ipam_range *ranges[CNI_MAX_IPS];
	size_t n;
};

struct intent {
	struct cni_ctx *ctx;
	struct ipam_store *store;
	struct ipam_cluster *cluster; /* NULL: one host, the file store alone */
	struct lease_set *leases;
};

static const struct ipam_range *range_of(const struct ipam_conf *c, const struct nd_addr *a)
{
	for (size_t i = 0; i < c->n_ranges; i++)
		if (nd_prefix_contains(&c->ranges[i].subnet, a))
			return &c->ranges[i];
	return NULL;
}

static bool set_covered(const struct lease_set *l, unsigned set)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ranges[i]->set == set)
			return true;
	return false;
}

/* Records the leases plus a candidate before the candidate is reserved. */
static int record_intent(void *data, const struct nd_addr *candidate)
{
	struct intent *in = data;
	struct nd_addr all[CNI_MAX_IPS];
	size_t n = in->leases->n;

	memcpy(all, in->leases->addrs, n * sizeof(all[0]));
	if (candidate && n < CNI_MAX_IPS)
		all[n++] = *candidate;
	return ipam_store_set_owned(in->store, in->ctx->container_id, in->ctx->ifname, all, n);
}

/* The cluster-wide claim of a static address, before the local one. */
static int cluster_claim(struct cni_ctx *ctx, struct intent *in, const struct ipam_range *r,
			 const struct nd_addr *a, const char *text)
{
	struct ipam_holder h;
	int e;

	if (!in->cluster)
		return 0;
	e = ipam_cluster_claim(in->cluster, a, r->subnet.len, ctx->container_id, ctx->ifname, &h);
	if (e == -EEXIST && h.block[0])
		return cni_fail(ctx, ND_ERR_ADDR_IN_USE, e,
				"ips: %s lies in address block %s, held by host %s", text, h.block,
				h.host);
	if (e == -EEXIST)
		return cni_fail(ctx, ND_ERR_ADDR_IN_USE, e,
				"ips: %s is already held by container %s (interface %s) on host %s",
				text, h.att.container_id, h.att.ifname, h.host);
	if (e == -EHOSTUNREACH)
		return cni_fail(ctx, CNI_ERR_TRY_AGAIN, e, "ips: claiming %s: " ETCD_DOWN, text,
				ipam_cluster_tried(in->cluster));
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_TRY_AGAIN, e, "ips: claiming %s in etcd: %s", text,
				strerror(-e));
	return 0;
}

static int static_one(struct cni_ctx *ctx, const struct ipam_conf *c, struct intent *in,
		      const char *text)
{
	struct lease_set *l = in->leases;
	struct cni_attachment holder;
	struct nd_prefix p;
	const struct ipam_range *r;
	int e;

	if (nd_prefix_parse_or_host(text, &p) < 0)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"ips: \"%s\" is not an IP address", text);
	r = range_of(c, &p.addr);
	if (!r)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"ips: %s is outside every subnet of network %s", text,
				ctx->net_name);
	if (ipam_range_excluded(r, &p.addr) && nd_addr_cmp(&p.addr, &r->first) >= 0 &&
	    nd_addr_cmp(&p.addr, &r->last) <= 0)
		return cni_fail(
			ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			"ips: %s is reserved in %s (network, broadcast, gateway or aux address)",
			text, r->path);
	if (l->n == CNI_MAX_IPS)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG, "ips: too many addresses");
	e = cluster_claim(ctx, in, r, &p.addr, text);
	if (e < 0)
		return e;
	e = record_intent(in, &p.addr);
	if (e >= 0)
		e = ipam_store_reserve(in->store, &p.addr, ctx->container_id, ctx->ifname);
	if (e < 0 && in->cluster)
		ipam_cluster_release(in->cluster, &p.addr, 1, ctx->container_id, ctx->ifname);
	if (e == -EEXIST && ipam_store_holder(in->store, &p.addr, &holder) == 0)
		return cni_fail(ctx, ND_ERR_ADDR_IN_USE, e,
				"ips: %s is already held by container %s (interface %s)", text,
				holder.container_id, holder.ifname);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ips: reserving %s: %s", text, strerror(-e));
	l->addrs[l->n] = p.addr;
	l->ranges[l->n++] = r;
	return 0;
}

static int dynamic_one(struct cni_ctx *ctx, const struct ipam_conf *c, struct intent *in,
		       unsigned set)
{
	struct lease_set *l = in->leases;

	for (size_t i = 0; i < c->n_ranges; i++) {
		const struct ipam_range *r = &c->ranges[i];
		struct nd_addr a;
		int e;

		if (r->set != set)
			continue;
		e = in->cluster ?
			    ipam_cluster_allocate(in->cluster, in->store, r, ctx->container_id,
						  ctx->ifname, record_intent, in, &a) :
			    ipam_store_allocate(in->store, r, ctx->container_id, ctx->ifname,
						record_intent, in, &a);
		if (e == -ENOSPC)
			continue;
		if (e == -EHOSTUNREACH)
			return cni_fail(
				ctx, CNI_ERR_TRY_AGAIN, e,
				"ipam: %s of network %s needs a new address block and " ETCD_DOWN,
				r->path, ctx->net_name, ipam_cluster_tried(in->cluster));
		if (e == -EAGAIN)
			return cni_fail(ctx, CNI_ERR_TRY_AGAIN, e,
					"ipam: %s of network %s: other hosts kept claiming address "
					"blocks and static addresses meanwhile; try again",
					r->path, ctx->net_name);
		if (e < 0)
			return cni_fail(ctx, CNI_ERR_IO, e, "ipam: allocating from %s: %s", r->path,
					strerror(-e));
		l->addrs[l->n] = a;
		l->ranges[l->n++] = r;
		return 0;
	}
	return cni_fail(ctx, ND_ERR_POOL_EXHAUSTED, -ENOSPC,
			"ipam: no free address left in network %s (address set %u)", ctx->net_name,
			set);
}

static void fill_result(struct cni_ctx *ctx, const struct ipam_conf *c, const struct lease_set *l)
{
	struct cni_result *res = &ctx->result;

	memset(res, 0, sizeof(*res));
	for (size_t i = 0; i < l->n; i++) {
		res->ips[i].address.addr = l->addrs[i];
		res->ips[i].address.len = l->ranges[i]->subnet.len;
		res->ips[i].gateway = l->ranges[i]->gateway;
		res->ips[i].interface = -1;
	}
	res->n_ips = l->n;
	memcpy(res->routes, c->routes, c->n_routes * sizeof(c->routes[0]));
	res->n_routes = c->n_routes;
	ctx->has_result = true;
}

/* A repeated ADD returns what the attachment already holds, if it still fits the config. */
static int previous_leases(const struct ipam_conf *c, struct intent *in)
{
	struct lease_set *l = in->leases;
	struct nd_addr owned[CNI_MAX_IPS];
	int n = ipam_store_owned(in->store, in->ctx->container_id, in->ctx->ifname, owned,
				 CNI_MAX_IPS);

	for (int i = 0; i < n; i++) {
		const struct ipam_range *r = range_of(c, &owned[i]);

		if (!r || ipam_store_reserve(in->store, &owned[i], in->ctx->container_id,
					     in->ctx->ifname) < 0)
			continue; /* config changed or an intent never reserved: allocate anew */
		l->addrs[l->n] = owned[i];
		l->ranges[l->n++] = r;
	}
	return n < 0 ? n : (int)l->n;
}

/* A failed ADD leaves nothing behind: what it reserved, and its intent record, go. */
static void rollback(struct intent *in)
{
	struct nd_addr owned[CNI_MAX_IPS];
	int n = ipam_store_owned(in->store, in->ctx->container_id, in->ctx->ifname, owned,
				 CNI_MAX_IPS);

	for (int i = 0; i < n; i++)
		ipam_store_release(in->store, &owned[i], in->ctx->container_id, in->ctx->ifname);
	if (in->cluster && n > 0)
		ipam_cluster_release(in->cluster, owned, (size_t)n, in->ctx->container_id,
				     in->ctx->ifname);
	ipam_store_set_owned(in->store, in->ctx->container_id, in->ctx->ifname, NULL, 0);
}

int ipam_add(struct cni_ctx *ctx)
{
	_cleanup_(ipam_store_closep) struct ipam_store *store = NULL;
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cluster = NULL;
	struct ipam_conf conf;
	struct lease_set leases = { .n = 0 };
	struct intent in = { .ctx = ctx, .leases = &leases };
	int e = ipam_conf_parse(ctx, &conf);

	if (e >= 0)
		e = ipam_pool_register(ctx, &conf);
	if (e < 0)
		return e;
	e = ipam_store_open(conf.lib_dir, ctx->net_name, &store);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: lease store in %s: %s", conf.lib_dir,
				strerror(-e));
	in.store = store;
	e = ipam_cluster_open(ctx, conf.lib_dir, &cluster);
	if (e < 0)
		return e;
	in.cluster = cluster;
	e = previous_leases(&conf, &in);
	for (size_t i = 0; e == 0 && i < ctx->rt.ips.n; i++)
		e = static_one(ctx, &conf, &in, ctx->rt.ips.v[i]);
	for (unsigned set = 0; e >= 0 && set < conf.n_sets; set++)
		if (!set_covered(&leases, set))
			e = dynamic_one(ctx, &conf, &in, set);
	if (e < 0) {
		rollback(&in);
		return e;
	}
	fill_result(ctx, &conf, &leases);
	return 0;
}
