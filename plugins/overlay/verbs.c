// SPDX-License-Identifier: MIT
/* The verbs: the network's VXLAN device and record, then the bridge driver's own steps. */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "link.h"
#include "rundir.h"

/* Without a store or an underlay to measure, the MTU of a 1500-byte underlay. */
#define OVERLAY_MTU_DEFAULT (1500 - OVERLAY_HEADROOM)

/*
 * The overlay's default MTU (the underlay's minus the VXLAN headroom) goes
 * into the config as "mtu", so the bridge steps size the bridge and veths so.
 */
static int default_mtu(struct cni_ctx *ctx, const struct overlay_conf *c, struct bridge_conf *bc)
{
	unsigned room = OVERLAY_HEADROOM + (c->encrypted ? OVERLAY_ESP_HEADROOM : 0);
	unsigned mtu = OVERLAY_MTU_DEFAULT - (c->encrypted ? OVERLAY_ESP_HEADROOM : 0);

	if (bc->mtu)
		return 0;
	if (c->underlay_mtu > room + 68)
		mtu = c->underlay_mtu - room;
	if (mtu > 65535)
		mtu = 65535;
	cJSON_DeleteItemFromObjectCaseSensitive(ctx->conf, "mtu");
	if (!cJSON_AddNumberToObject(ctx->conf, "mtu", mtu))
		return -ENOMEM;
	bc->mtu = mtu;
	return 0;
}

struct network {
	struct overlay_conf c;
	struct bridge_conf bc;
	int run_fd;
};

static void network_clear(struct network *n)
{
	overlay_conf_clear(&n->c);
	bridge_conf_clear(&n->bc);
	if (n->run_fd >= 0)
		close(n->run_fd);
}

/* Parses both configs and resolves VTEP, MTU and VNI on this host. */
static int network_prepare(struct cni_ctx *ctx, struct network *n)
{
	int r;

	*n = (struct network){ .run_fd = -1 };
	r = overlay_conf_parse(ctx, &n->c);
	if (r >= 0)
		r = bridge_conf_parse(ctx, &n->bc);
	if (r < 0)
		return r;
	n->run_fd = nd_dir_open(nd_run_dir_path(ctx), true);
	if (n->run_fd < 0)
		return cni_fail(ctx, CNI_ERR_IO, n->run_fd, "run dir %s: %s", nd_run_dir_path(ctx),
				strerror(-n->run_fd));
	r = overlay_underlay_resolve(ctx, &n->c);
	if (r >= 0)
		r = default_mtu(ctx, &n->c, &n->bc);
	if (r >= 0)
		r = overlay_vni_resolve(ctx, &n->c, n->run_fd);
	return r;
}

static int write_record(struct cni_ctx *ctx, const struct network *n)
{
	struct nd_overlay_record o = { .vni = n->c.vni, .vtep = n->c.vtep_addr, .port = n->c.port };
	int r;

	snprintf(o.name, sizeof(o.name), "%s", ctx->net_name);
	overlay_vxlan_name(n->c.vni, o.vxlan);
	snprintf(o.bridge, sizeof(o.bridge), "%s", n->bc.bridge);
	snprintf(o.host, sizeof(o.host), "%s", n->c.host);
	o.encrypted = n->c.encrypted;
	r = nd_overlay_record_write(n->run_fd, &o);
	return r < 0 ? cni_fail(ctx, CNI_ERR_IO, r, "writing overlay/%s.json: %s", ctx->net_name,
				strerror(-r)) :
		       0;
}

int overlay_add(struct cni_ctx *ctx)
{
	struct network n;
	int r = network_prepare(ctx, &n);

	if (r >= 0)
		r = overlay_encrypt_ensure(ctx, &n.c);
	if (r >= 0)
		r = overlay_vxlan_ensure(ctx, &n.c, &n.bc);
	/* The record first: overlayd learns the network before its first endpoint. */
	if (r >= 0)
		r = write_record(ctx, &n);
	if (r >= 0)
		r = bridge_add(ctx);
	if (r >= 0)
		r = overlay_record_subnets(ctx, n.run_fd);
	network_clear(&n);
	return r;
}

int overlay_del(struct cni_ctx *ctx)
{
	return bridge_del(ctx);
}

int overlay_check(struct cni_ctx *ctx)
{
	struct network n;
	int r = network_prepare(ctx, &n);

	if (r >= 0)
		r = overlay_vxlan_check(ctx, &n.c, &n.bc);
	if (r >= 0)
		r = overlay_encrypt_check(ctx, &n.c);
	if (r >= 0)
		r = bridge_check(ctx);
	network_clear(&n);
	return r;
}

int overlay_status(struct cni_ctx *ctx)
{
	struct overlay_conf c;
	int r = overlay_conf_parse(ctx, &c);

	if (r >= 0)
		r = overlay_encrypt_status(ctx, &c);
	overlay_conf_clear(&c);
	return r < 0 ? r : bridge_status(ctx);
}

/* After bridge's GC removed the network's bridge, its VXLAN device and record go too. */
int overlay_gc(struct cni_ctx *ctx)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	_cleanup_(closep) int run_fd = -1;
	struct nd_overlay_record o;
	int r = bridge_gc(ctx);

	if (r < 0 || !ctx->rt.has_valid_attachments)
		return r;
	run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	if (run_fd < 0 || nd_overlay_record_read(run_fd, ctx->net_name, &o) < 0)
		return 0;
	r = nd_nl_open(&nl);
	if (r < 0 || nd_link_index(nl, o.bridge) > 0)
		return 0; /* attachments remain */
	r = overlay_vxlan_delete(ctx, o.vni);
	if (r >= 0)
		r = overlay_encrypt_remove(ctx, &o);
	if (r >= 0)
		r = nd_overlay_record_remove(run_fd, ctx->net_name);
	return r;
}
