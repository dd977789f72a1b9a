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

static int release_owner(struct ipam_store *s, const char *cid, const char *ifname)
{
	struct nd_addr owned[CNI_MAX_IPS];
	int n = ipam_store_owned(s, cid, ifname, owned, CNI_MAX_IPS);

	for (int i = 0; i < n; i++) {
		int e = ipam_store_release(s, &owned[i], cid, ifname);

		if (e < 0)
			return e;
	}
	return n < 0 ? n : ipam_store_set_owned(s, cid, ifname, NULL, 0);
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
	const char *dir = lib_dir_of(ctx);
	int e;

	if (!recover_net_name(ctx, dir))
		return 0; /* no network holds anything of this attachment */
	e = ipam_store_open(dir, ctx->net_name, &store);

	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: lease store in %s: %s", dir,
				strerror(-e));
	e = release_owner(store, ctx->container_id, ctx->ifname);
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
	n = ipam_store_owners(store, &owners);
	for (int i = 0; i < n; i++) {
		const struct cni_attachment *a = &owners[i];

		if (cni_attachment_valid(ctx, a->container_id, a->ifname))
			kept++;
		else if ((e = release_owner(store, a->container_id, a->ifname)) < 0)
			return cni_fail(ctx, CNI_ERR_IO, e, "ipam: GC: %s", strerror(-e));
	}
	/* Leases without an owner record are what a killed ADD left: sweep them too. */
	e = ipam_store_sweep(store, ctx->rt.valid_attachments, ctx->rt.n_valid_attachments);
	if (e < 0)
		return cni_fail(ctx, CNI_ERR_IO, e, "ipam: GC sweep: %s", strerror(-e));
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
	struct ipam_conf conf;
	int e = ipam_conf_parse(ctx, &conf);

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
			       ipam_store_has_room(store, &conf.ranges[i]) > 0;
		if (!room)
			return cni_fail(ctx, CNI_ERR_PLUGIN_NOT_AVAILABLE, -ENOSPC,
					"ipam: network %s has no free address left", ctx->net_name);
	}
	return 0;
}
