/* SPDX-License-Identifier: MIT */
/* ipam-subnet's configuration model, shared by its conf, pool, alloc and verb files. */
#ifndef IPAM_SUBNET_H
#define IPAM_SUBNET_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cni.h"
#include "ip.h"

#define IPAM_MAX_RANGES 16
#define IPAM_MAX_AUX 32
#define IPAM_MAX_POOLS 64
#define IPAM_MAX_ROUTES 32

struct ipam_aux {
	char name[64];
	struct nd_addr addr;
};

/* One subnet and the part of it addresses are handed out from. */
struct ipam_range {
	struct nd_prefix subnet;
	struct nd_addr gateway; /* family 0: no gateway */
	struct nd_addr first, last; /* allocation bounds, inclusive (ipRange / rangeStart..End) */
	struct ipam_aux aux[IPAM_MAX_AUX];
	size_t n_aux;
	/* One address is handed out per set: per family for netdock's format, per inner list for host-local's. */
	unsigned set;
	bool automatic; /* subnet chosen from the default pools */
	char path[48]; /* JSON path of this range, for error messages */
};

struct ipam_pool {
	struct nd_prefix base;
	unsigned size; /* prefix length of each subnet cut from base */
};

struct ipam_conf {
	struct ipam_range ranges[IPAM_MAX_RANGES];
	size_t n_ranges;
	unsigned n_sets;
	struct cni_route routes[IPAM_MAX_ROUTES];
	size_t n_routes;
	struct ipam_pool pools[IPAM_MAX_POOLS];
	size_t n_pools;
	bool want_auto; /* no subnet given: choose one (IPv4) */
	/*
	 * Register the subnets as kept: GC of an idle network leaves them,
	 * only ipam_pool_unregister(..., true) removes them. For networks made
	 * by `netdock network create`, which hold their subnet until `rm`, as
	 * Docker's do.
	 */
	bool keep;
	char lib_dir[PATH_MAX];
};

/* conf.c: parses ctx->conf's "ipam" object; errors are CNI 7 naming the field. */
int ipam_conf_parse(struct cni_ctx *ctx, struct ipam_conf *ret);
/* conf.c: fills first/last for a range whose subnet was decided late (automatic). */
int ipam_range_finish(struct cni_ctx *ctx, struct ipam_range *r);

/* True when a is never handed out: network, broadcast, gateway, aux, or outside first..last. */
bool ipam_range_excluded(const struct ipam_range *r, const struct nd_addr *a);

/* pool.c: registers this network's subnets in the lib dir, choosing automatic ones. */
int ipam_pool_register(struct cni_ctx *ctx, struct ipam_conf *conf);
/*
 * pool.c: forgets this network's subnets (after GC left it without leases);
 * kept ones (ipam_conf.keep) only when force.
 */
int ipam_pool_unregister(struct cni_ctx *ctx, const struct ipam_conf *conf, bool force);

#endif
