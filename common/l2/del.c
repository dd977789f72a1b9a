// SPDX-License-Identifier: MIT
/* DEL, GC and STATUS: teardown that succeeds from any partial state. */
#include "bridge.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "delegate.h"
#include "json.h"
#include "link.h"
#include "nft.h"
#include "rundir.h"

int bridge_default_route_update(struct cni_ctx *ctx, int run_fd, struct nd_route_owner *ret)
{
	_cleanup_(closep) int netns_fd = -1;
	struct nd_route_owner owner = { .net = "" };
	int orig = -1, r;

	if (ret)
		*ret = owner;
	if (!ctx->netns)
		return 0;
	netns_fd = nd_netns_open(ctx->netns);
	if (netns_fd < 0)
		return ctx->verb == CNI_DEL ?
			       0 :
			       netns_fd; /* the container is gone: nothing to route */
	r = nd_netns_enter(netns_fd, &orig);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_NETNS, r, "entering %s: %s", ctx->netns, strerror(-r));
	r = nd_default_route_update(run_fd, ctx->container_id, &owner);
	nd_netns_leave(orig);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "default route via %s: %s",
				owner.net[0] ? owner.net : "(none)", strerror(-r));
	if (ret)
		*ret = owner;
	return 0;
}

static int remove_attachment(struct cni_ctx *ctx, int run_fd, const char *cid, const char *ifname)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	char host[IFNAMSIZ];
	int r = nd_nl_open(&nl);

	bridge_host_ifname(cid, ifname, host);
	if (r >= 0)
		r = bridge_antispoof_remove(ctx, run_fd, cid, ifname, host);
	/* Deleting the host end takes the container end with it, wherever it is. */
	if (r >= 0)
		r = nd_link_delete(nl, host);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "deleting %s: %s", host, strerror(-r));
	if (run_fd >= 0 && ctx->net_name[0])
		r = nd_endpoint_record_remove(run_fd, ctx->net_name, cid, ifname);
	return r < 0 ? cni_fail(ctx, CNI_ERR_IO, r, "removing the endpoint record: %s",
				strerror(-r)) :
		       0;
}

/*
 * A config rewritten after ADD may name another IPAM plugin (or one that no
 * longer exists) than the one that leased the address; the carried
 * ipam-subnet releases what it holds for this attachment all the same.
 */
static int release_carried_leases(struct cni_ctx *ctx, const struct bridge_conf *c)
{
	if (!strcmp(c->ipam_type, "ipam-subnet") || !nd_delegate_carries(ctx, "ipam-subnet"))
		return 0;
	return cni_forgive(ctx, nd_delegate(ctx, "ipam-subnet", CNI_DEL, NULL));
}

int bridge_teardown(struct cni_ctx *ctx, const struct bridge_conf *c, bool delegate)
{
	_cleanup_(closep) int run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	int r = remove_attachment(ctx, run_fd, ctx->container_id, ctx->ifname), e;

	if (delegate) {
		/* The IPAM plugin's own complaint about the config must not fail DEL either. */
		e = cni_forgive(ctx, nd_delegate(ctx, c->ipam_type, CNI_DEL, NULL));
		r = r < 0 ? r : e;
		e = release_carried_leases(ctx, c);
		r = r < 0 ? r : e;
	}
	e = bridge_default_route_update(ctx, run_fd, NULL);
	return r < 0 ? r : e;
}

/* A DEL whose network name was refused finds the network by the attachment's record. */
static void recover_net_name(struct cni_ctx *ctx)
{
	_cleanup_(closep) int run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	_cleanup_(closep) int endpoints = -1;
	char file[CNI_MAX_NAME + IFNAMSIZ + 8], net[ND_NAME_MAX + 1];

	if (ctx->net_name[0] || run_fd < 0)
		return;
	endpoints = nd_subdir_open(run_fd, "endpoints", false);
	if (endpoints >= 0 &&
	    nd_endpoint_record_filename(ctx->container_id, ctx->ifname, file, sizeof(file)) >= 0 &&
	    nd_subdir_find(endpoints, file, net) >= 0)
		snprintf(ctx->net_name, sizeof(ctx->net_name), "%s", net);
}

/* What DEL still knows when the config does not parse: the IPAM plugin it named. */
static void conf_fallback(struct cni_ctx *ctx, struct bridge_conf *c)
{
	const cJSON *type = nd_json_get(nd_json_get(ctx->conf, "ipam"), "type");

	*c = (struct bridge_conf){ .ipam_type = "ipam-subnet" };
	if (cJSON_IsString(type) && nd_name_valid(type->valuestring) &&
	    strlen(type->valuestring) < sizeof(c->ipam_type))
		strcpy(c->ipam_type, type->valuestring);
}

int bridge_del(struct cni_ctx *ctx)
{
	struct bridge_conf c;
	int r = bridge_conf_parse(ctx, &c);

	if (r < 0) {
		r = cni_forgive(ctx, r);
		if (r < 0)
			return r;
		conf_fallback(ctx, &c);
	}
	recover_net_name(ctx);
	r = bridge_teardown(ctx, &c, true);
	bridge_conf_clear(&c);
	return r;
}

int bridge_status(struct cni_ctx *ctx)
{
	struct bridge_conf c;
	int r = bridge_conf_parse(ctx, &c);

	if (r >= 0)
		r = nd_delegate(ctx, c.ipam_type, CNI_STATUS, NULL);
	if (r >= 0)
		r = bridge_hostfw_status(ctx);
	bridge_conf_clear(&c);
	return r;
}

/* Drops the attachments of this network that the runtime no longer knows; returns how many stay. */
static int gc_endpoints(struct cni_ctx *ctx, int run_fd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	_cleanup_(closep) int endpoints = nd_subdir_open(run_fd, "endpoints", false);
	int kept = 0, r = 0;

	if (endpoints < 0 || nd_dir_stream(endpoints, ctx->net_name, &d) < 0)
		return 0;
	/* What writers killed between write and rename left, whoever they were. */
	nd_tmp_sweep(dirfd(d), NULL);
	while ((de = readdir(d)) && r >= 0) {
		struct nd_endpoint_record e;

		if (de->d_name[0] == '.' ||
		    nd_endpoint_record_read_file(dirfd(d), de->d_name, &e) < 0)
			continue;
		if (e.host[0])
			; /* another host's endpoint, mirrored by overlayd: not ours to collect */
		else if (cni_attachment_valid(ctx, e.container_id, e.ifname))
			kept++;
		else
			r = remove_attachment(ctx, run_fd, e.container_id, e.ifname);
		nd_endpoint_record_clear(&e);
	}
	return r < 0 ? r : kept;
}

/* A network left with no endpoint loses its nftables entries, its bridge and its record. */
static int gc_network(struct cni_ctx *ctx, const struct bridge_conf *c, int run_fd)
{
	_cleanup_(nd_nft_txn_freep) struct nd_nft_txn *txn = NULL;
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	struct nd_isolation_net iso = { .bridge = c->bridge, .internal = c->internal };
	struct nd_net_record n;
	char err[256];
	int r;

	if (nd_net_record_read(run_fd, ctx->net_name, &n) >= 0) {
		for (size_t i = 0; i < n.n_subnets && i < ND_ISOLATION_MAX_SUBNETS; i++)
			iso.subnets[iso.n_subnets++] = n.subnets[i].subnet;
		nd_net_record_clear(&n);
	}
	bridge_isolation_configured(ctx->conf, &iso);
	r = nd_nft_txn_new(&txn);
	if (r >= 0)
		r = nd_isolation_remove(txn, &iso);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	if (r < 0)
		return cni_fail(ctx, ND_ERR_NFT, r, "GC of %s's nftables entries: %s",
				ctx->net_name, strerror(-r));
	r = bridge_hostfw_gc(ctx, c->bridge, run_fd);
	if (r < 0)
		return r;
	r = nd_nl_open(&nl);
	if (r >= 0)
		r = nd_link_delete(nl, c->bridge);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "deleting bridge %s: %s", c->bridge,
				strerror(-r));
	return nd_net_record_remove(run_fd, ctx->net_name);
}

int bridge_gc(struct cni_ctx *ctx)
{
	_cleanup_(closep) int run_fd = -1;
	struct bridge_conf c;
	int kept, r = bridge_conf_parse(ctx, &c);

	if (r < 0)
		return r;
	if (!ctx->rt.has_valid_attachments)
		goto out; /* without the list nothing can be known stale */
	run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	kept = run_fd < 0 ? 0 : gc_endpoints(ctx, run_fd);
	r = kept < 0 ? kept : nd_delegate(ctx, c.ipam_type, CNI_GC, NULL);
	if (r >= 0 && kept == 0 && run_fd >= 0)
		r = gc_network(ctx, &c, run_fd);
out:
	bridge_conf_clear(&c);
	return r;
}
