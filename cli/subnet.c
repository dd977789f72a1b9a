// SPDX-License-Identifier: MIT
/*
 * Subnets at create time, through ipam-subnet's own registry code (linked
 * from its archive, as bridge carries it): the subnet a name-only network
 * gets is the one ipam-subnet would choose, kept in the same registry, so
 * inspect shows it at once and no later network overlaps it.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cni.h"
#include "plugins/ipam-subnet/ipam.h"
#include "plugins/ipam-subnet/store.h"
#include "rundir.h"

/* A context holding {"ipam": {"type": "ipam-subnet", "subnets": <copy of subnets>}}. */
static int ctx_init(struct cni_ctx *ctx, const char *name, const cJSON *subnets)
{
	cJSON *ipam;

	memset(ctx, 0, sizeof(*ctx));
	snprintf(ctx->net_name, sizeof(ctx->net_name), "%s", name);
	ctx->conf = cJSON_CreateObject();
	ipam = cJSON_AddObjectToObject(ctx->conf, "ipam");
	if (!ipam || !cJSON_AddStringToObject(ipam, "type", "ipam-subnet"))
		return -ENOMEM;
	if (subnets && !cJSON_AddItemToObject(ipam, "subnets", cJSON_Duplicate(subnets, true)))
		return -ENOMEM;
	return 0;
}

static int ctx_run(struct cni_ctx *ctx, struct ipam_conf *conf, char *err, size_t errlen)
{
	int r = ipam_conf_parse(ctx, conf);

	conf->keep = true; /* until `netdock network rm`, not the next idle GC */
	if (r >= 0)
		r = ipam_pool_register(ctx, conf);
	if (r == -EEXIST)
		snprintf(err, errlen, "Pool overlaps with other one on this address space");
	else if (r < 0)
		snprintf(err, errlen, "%s", ctx->err_msg[0] ? ctx->err_msg : strerror(-r));
	cJSON_Delete(ctx->conf);
	ctx->conf = NULL;
	return r;
}

static int auto_v4(const char *name, cJSON *subnets, char *err, size_t errlen)
{
	_cleanup_(freep) struct ipam_conf *conf = calloc(1, sizeof(*conf));
	char s[ND_PREFIX_STRLEN], g[ND_ADDR_STRLEN];
	struct cni_ctx ctx;
	cJSON *item;
	int r = ctx_init(&ctx, name, NULL);

	if (!conf || r < 0) {
		cJSON_Delete(ctx.conf);
		return -ENOMEM;
	}
	r = ctx_run(&ctx, conf, err, errlen);
	if (r < 0)
		return r;
	item = cJSON_CreateObject();
	cJSON_AddStringToObject(item, "subnet", nd_prefix_to_str(&conf->ranges[0].subnet, s));
	cJSON_AddStringToObject(item, "gateway", nd_addr_to_str(&conf->ranges[0].gateway, g));
	return cJSON_InsertItemInArray(subnets, 0, item) ? 0 : -ENOMEM;
}

int cli_subnets_register(const char *name, cJSON *subnets, bool want_v4, char *err, size_t errlen)
{
	_cleanup_(freep) struct ipam_conf *conf = calloc(1, sizeof(*conf));
	struct cni_ctx ctx;
	int r;

	if (!conf)
		return -ENOMEM;
	if (want_v4) {
		r = auto_v4(name, subnets, err, errlen);
		if (r < 0)
			return r;
	}
	r = ctx_init(&ctx, name, subnets);
	if (r >= 0)
		r = ctx_run(&ctx, conf, err, errlen);
	else
		cJSON_Delete(ctx.conf);
	if (r < 0 && want_v4)
		cli_subnets_unregister(name);
	return r;
}

int cli_subnets_unregister(const char *name)
{
	struct ipam_conf conf = { .n_ranges = 0 };
	struct cni_ctx ctx = { .conf = NULL };
	int r;

	snprintf(ctx.net_name, sizeof(ctx.net_name), "%s", name);
	snprintf(conf.lib_dir, sizeof(conf.lib_dir), "%s", nd_lib_dir_path(NULL));
	r = ipam_pool_unregister(&ctx, &conf, true);
	return r < 0 ? r : ipam_store_destroy(conf.lib_dir, name);
}
