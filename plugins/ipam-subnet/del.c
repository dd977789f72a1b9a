// SPDX-License-Identifier: MIT
/* DEL, CHECK, GC and STATUS: releasing and inspecting leases. */
#include "ipam-verbs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"
#include "conf.h"
#include "ipam.h"
#include "log.h"
#include "rundir.h"
#include "store.h"

ND_CLEANUP(struct ipam_store *, ipam_store_close)

/* DEL must work even when the config no longer parses: only dataDir matters. */
static const char *lib_dir_of(const struct cni_ctx *ctx)
{
	const cJSON *ipam = nd_json_get(ctx->conf, "ipam");
	const cJSON *dir = nd_json_get(ipam, "dataDir");

	return nd_lib_dir_path(cJSON_IsString(dir) ? dir->valuestring : NULL);
}

static int release_owner(struct ipam_store *s, struct ipam_cluster *cl, const char *cid,
			 const char *ifname)
{
	struct nd_addr owned[CNI_MAX_IPS];
	int n = ipam_store_owned(s, cid, ifname, owned, CNI_MAX_IPS);

	if (cl && n > 0)
		ipam_cluster_release(cl, owned, (size_t)n, cid, ifname);

	for (int i = 0; i < n; i++) {
		int e = ipam_store_release(s, &owned[i], cid, ifname);

		if (e < 0)
			return e;
	}
	return n < 0 ? n : ipam_store_set_owned(s, cid, ifname, NULL, 0);
}

/* DEL and GC go on without the cluster layer when its config does not parse. */
static void cluster_open(struct cni_ctx *ctx, const char *dir, struct ipam_cluster **ret)
{
	struct cni_ctx scratch = *ctx;

	scratch.err_code = 0;
	if (ipam_cluster_open(&scratch, dir, ret) < 0) {
		nd_warn("ipam %s: store config ignored: %s", ctx->net_name, scratch.err_msg);
		*ret = NULL;
	}
}

/* A DEL whose network name was refused finds the network by the owner record. */
static bool recover_net_name(struct cni_ctx *ctx, const char *dir)
{
	_cleanup_(closep) int lib = nd_dir_open(dir, false), ipam = -1;
	char owner[CNI_MAX_NAME + IFNAMSIZ + 8], net[ND_NAME_MAX + 1];

	if (ctx->net_name[0])
		return true;
	ipam = lib < 0 ? -1 : nd_subdir_open(lib, "ipam", false);
	snprintf(owner, sizeof(owner), "owner/%s-%s", ctx->container_id, ctx->ifname);
	if (ipam < 0 || nd_subdir_find(ipam, owner, net) < 0)
		return false;
	snprintf(ctx->net_name, sizeof(ctx->net_name), "%s", net);
	return true;
}

int ipam_del(struct cni_ctx *ctx)
{
	_cleanup_(ipam_store_closep) struct ipam_store *store = NULL;
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cl = NULL;
	const char *dir = lib_dir_of(ctx);
	int e;

	if (!recover_net_name(ctx, dir))
		return 0; /* no network holds anything of this attachment */
	e = ipam_store_open(dir, ctx->net_name, &store);

	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: lease store in %s: %s", dir,
				strerror(-e));
	cluster_open(ctx, dir, &cl);
	e = release_owner(store, cl, ctx->container_id, ctx->ifname);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: releasing %s/%s: %s", ctx->container_id,
				ctx->ifname, strerror(-e));
	return 0;
}

int ipam_check(struct cni_ctx *ctx)
{
	_cleanup_(ipam_store_closep) struct ipam_store *store = NULL;
	struct nd_addr owned[CNI_MAX_IPS];
	struct ipam_conf conf;
	int n, e = ipam_conf_parse(ctx, &conf);

	if (e < 0)
		return e;
	e = ipam_store_open(conf.lib_dir, ctx->net_name, &store);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: lease store: %s", strerror(-e));
	n = ipam_store_owned(store, ctx->container_id, ctx->ifname, owned, CNI_MAX_IPS);
	if (n <= 0)
		return cni_fail(ctx, ND_ERR_CHECK, -ENOENT, "ipam: %s/%s holds no address",
				ctx->container_id, ctx->ifname);
	for (int i = 0; i < n; i++) {
		struct cni_attachment holder;
		char a[ND_ADDR_STRLEN];

		if (ipam_store_holder(store, &owned[i], &holder) < 0 ||
		    strcmp(holder.container_id, ctx->container_id) ||
		    strcmp(holder.ifname, ctx->ifname))
			return cni_fail(ctx, ND_ERR_CHECK, -ENOENT,
					"ipam: the lease of %s is missing or held by another",
					nd_addr_to_str(&owned[i], a));
	}
	return 0;
}

int ipam_gc(struct cni_ctx *ctx)
{
	_cleanup_(ipam_store_closep) struct ipam_store *store = NULL;
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cl = NULL;
	_cleanup_(freep) struct cni_attachment *owners = NULL;
	const char *dir = lib_dir_of(ctx);
	int n, kept = 0, e;

	if (!ctx->rt.has_valid_attachments)
		return 0; /* without the list nothing can be known stale */
	/* Unlike DEL, GC may refuse a config: it names what it sweeps. */
	e = nd_dir_conf(ctx, cJSON_GetObjectItemCaseSensitive(ctx->conf, "ipam"), "ipam", "dataDir",
			&(const char *){ NULL });
	if (e < 0)
		return e;
	e = ipam_store_open(dir, ctx->net_name, &store);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: lease store: %s", strerror(-e));
	cluster_open(ctx, dir, &cl);
	n = ipam_store_owners(store, &owners);
	for (int i = 0; i < n; i++) {
		const struct cni_attachment *a = &owners[i];

		if (cni_attachment_valid(ctx, a->container_id, a->ifname))
			kept++;
		else if ((e = release_owner(store, cl, a->container_id, a->ifname)) < 0)
			return cni_fail(ctx, CNI_ERR_IO, e, "ipam: GC: %s", strerror(-e));
	}
	/* Leases without an owner record are what a killed ADD left: sweep them too. */
	e = ipam_store_sweep(store, ctx->rt.valid_attachments, ctx->rt.n_valid_attachments);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: GC sweep: %s", strerror(-e));
	/* Empty blocks go back to the cluster; with etcd away, at a later GC. */
	if (cl && (e = ipam_cluster_gc(cl, store, ctx->rt.valid_attachments,
				       ctx->rt.n_valid_attachments)) < 0)
		nd_warn("ipam %s: GC could not release address blocks: %s", ctx->net_name,
			e == -EHOSTUNREACH ? ipam_cluster_tried(cl) : strerror(-e));
	if (kept == 0 && n >= 0) {
		struct ipam_conf conf = { .n_ranges = 0 };

		snprintf(conf.lib_dir, sizeof(conf.lib_dir), "%s", dir);
		ipam_pool_unregister(ctx, &conf, false);
	}
	return 0;
}

int ipam_status(struct cni_ctx *ctx)
{
	_cleanup_(ipam_store_closep) struct ipam_store *store = NULL;
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cl = NULL;
	struct ipam_conf conf;
	int e = ipam_conf_parse(ctx, &conf);

	if (e < 0)
		return e;
	e = ipam_cluster_open(ctx, conf.lib_dir, &cl);
	if (e < 0)
		return e;
	if (conf.want_auto)
		return 0; /* no subnet yet: one is chosen at the first ADD */
	e = ipam_store_open(conf.lib_dir, ctx->net_name, &store);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_PLUGIN_NOT_AVAILABLE, e, "ipam: lease store: %s",
				strerror(-e));
	for (unsigned set = 0; set < conf.n_sets; set++) {
		bool room = false;

		for (size_t i = 0; i < conf.n_ranges && !room; i++)
			room = conf.ranges[i].set == set &&
			       (cl ? ipam_cluster_has_room(cl, store, &conf.ranges[i]) :
				     ipam_store_has_room(store, &conf.ranges[i])) > 0;
		if (!room && cl && ipam_cluster_tried(cl)[0])
			return cni_fail(ctx, CNI_ERR_PLUGIN_NOT_AVAILABLE, -EHOSTUNREACH,
					"ipam: network %s: no address block here has room and "
					"etcd is unreachable (tried %s)",
					ctx->net_name, ipam_cluster_tried(cl));
		if (!room)
			return cni_fail(ctx, CNI_ERR_PLUGIN_NOT_AVAILABLE, -ENOSPC,
					"ipam: network %s has no free address left", ctx->net_name);
	}
	return 0;
}
