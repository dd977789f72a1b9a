// SPDX-License-Identifier: MIT
/*
 * The network's VNI: the config's, else the one this host already uses,
 * else allocated once for the cluster in etcd (<prefix>/vni/<net> names
 * it, <prefix>/vnis/<vni> keeps two networks off one VNI), else, with no
 * store, derived from the network name (the same on every host).
 */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"

/* Below 4096 is left to hand-made VXLAN devices, as Docker does (its first VNI is 4096 + 1). */
#define VNI_FIRST 4096u

static unsigned vni_derived(const char *net)
{
	char bridge[IFNAMSIZ];
	uint8_t h[6];

	/* The bridge's MAC is already a stable hash of the network name. */
	bridge_name_derive(net, bridge);
	bridge_dev_mac(bridge, h);
	return VNI_FIRST +
	       ((unsigned)h[1] << 16 | (unsigned)h[2] << 8 | h[3]) % (ND_VNI_MAX - VNI_FIRST);
}

static int parse_vni(const char *s, unsigned *ret)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v == 0 || v > ND_VNI_MAX)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

static int etcd_fail(struct cni_ctx *ctx, struct nd_etcd *e, int r, const char *what)
{
	if (r == -EHOSTUNREACH)
		return cni_fail(ctx, CNI_ERR_TRY_AGAIN, r, "%s: etcd unreachable, tried %s", what,
				nd_etcd_tried(e));
	return cni_fail(ctx, CNI_ERR_TRY_AGAIN, r, "%s: etcd: %s", what, strerror(-r));
}

/* Takes <prefix>/vnis/<cand> for net, then names it under <prefix>/vni/<net>. */
static int vni_claim(struct nd_etcd *e, const char *net, unsigned cand, unsigned *ret)
{
	_cleanup_(freep) char *holder = NULL, *theirs = NULL;
	char key[CNI_MAX_NAME + 160], name_key[CNI_MAX_NAME + 160], val[16];
	int r;

	snprintf(key, sizeof(key), "%s/vnis/%u", nd_etcd_prefix(e), cand);
	snprintf(name_key, sizeof(name_key), "%s/vni/%s", nd_etcd_prefix(e), net);
	snprintf(val, sizeof(val), "%u", cand);
	r = nd_etcd_create(e, key, net, 0, &holder);
	if (r == -EEXIST && strcmp(holder, net))
		return -EBUSY; /* another network's */
	if (r < 0 && r != -EEXIST)
		return r;
	r = nd_etcd_create(e, name_key, val, 0, &theirs);
	if (r == -EEXIST && parse_vni(theirs, ret) == 0) {
		/* Another host allocated it first: theirs wins, ours goes back. */
		if (*ret != cand)
			nd_etcd_delete_value(e, key, net);
		return 0;
	}
	if (r < 0)
		return r;
	*ret = cand;
	return 0;
}

static int vni_from_etcd(struct cni_ctx *ctx, struct overlay_conf *c)
{
	_cleanup_(nd_etcd_closep) struct nd_etcd *e = NULL;
	struct nd_etcd_kvs kvs = { 0 };
	char key[CNI_MAX_NAME + 160];
	unsigned cand = vni_derived(ctx->net_name);
	int r = nd_etcd_open(&c->store, &e);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_INTERNAL, r, "etcd client: %s", strerror(-r));
	snprintf(key, sizeof(key), "%s/vni/%s", nd_etcd_prefix(e), ctx->net_name);
	r = nd_etcd_get(e, key, false, &kvs);
	if (r >= 0 && kvs.n && parse_vni(kvs.kv[0].value, &c->vni) == 0) {
		nd_etcd_kvs_clear(&kvs);
		return 0;
	}
	nd_etcd_kvs_clear(&kvs);
	for (int i = 0; r >= 0 && i < 256; i++) {
		r = vni_claim(e, ctx->net_name, cand, &c->vni);
		if (r != -EBUSY)
			break;
		cand = cand >= ND_VNI_MAX ? VNI_FIRST : cand + 1;
		r = 0;
	}
	if (r < 0)
		return etcd_fail(ctx, e, r == -EBUSY ? -ENOSPC : r, "allocating a VNI");
	nd_info("overlay %s: VNI %u, %lu etcd requests", ctx->net_name, c->vni,
		nd_etcd_requests(e));
	return 0;
}

int overlay_vni_resolve(struct cni_ctx *ctx, struct overlay_conf *c, int run_fd)
{
	struct nd_overlay_record o;

	if (c->vni)
		return 0;
	/* Kept from this network's first ADD here: no etcd request on the hot path. */
	if (nd_overlay_record_read(run_fd, ctx->net_name, &o) == 0 && o.vni) {
		c->vni = o.vni;
		return 0;
	}
	if (!c->has_store) {
		c->vni = vni_derived(ctx->net_name);
		return 0;
	}
	return vni_from_etcd(ctx, c);
}
