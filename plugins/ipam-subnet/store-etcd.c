// SPDX-License-Identifier: MIT
/*
 * Cluster-wide IPAM over etcd: address blocks claimed per host with one
 * compare-and-create, static addresses claimed cluster-wide (store-etcd.h
 * names the parts). This host's blocks are cached in the lib dir
 * (ipam-blocks/<net>.json), so an ADD that fits in them sends nothing.
 */
#include "store-etcd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "conf.h"
#include "log.h"
#include "overlay-record.h"
#include "rundir.h"

static int cache_load(struct ipam_cluster *cl)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(cJSON_Deletep) cJSON *j = NULL;
	const cJSON *it;
	char name[CNI_MAX_NAME + 8];
	size_t len;

	snprintf(name, sizeof(name), "%s.json", cl->net);
	if (nd_file_read(cl->cache_fd, name, 1u << 20, &text, &len) < 0)
		return 0; /* none yet */
	j = cJSON_ParseWithLength(text, len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "blocks"))
	{
		struct nd_prefix p;

		if (cJSON_IsString(it) && cl->n_blocks < MAX_BLOCKS &&
		    nd_prefix_parse(it->valuestring, &p) == 0)
			cl->blocks[cl->n_blocks++] = p;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "statics"))
	{
		struct nd_addr a;

		if (cJSON_IsString(it) && cl->n_statics < MAX_STATICS &&
		    nd_addr_parse(it->valuestring, &a) == 0)
			cl->statics[cl->n_statics++] = a;
	}
	return 0;
}

static int cache_save(struct ipam_cluster *cl)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
	_cleanup_(freep) char *text = NULL;
	cJSON *b = j ? cJSON_AddArrayToObject(j, "blocks") : NULL;
	cJSON *s = j ? cJSON_AddArrayToObject(j, "statics") : NULL;
	char name[CNI_MAX_NAME + 8], buf[ND_PREFIX_STRLEN];

	if (!b || !s)
		return -ENOMEM;
	for (size_t i = 0; i < cl->n_blocks; i++)
		cJSON_AddItemToArray(b, cJSON_CreateString(nd_prefix_to_str(&cl->blocks[i], buf)));
	for (size_t i = 0; i < cl->n_statics; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(nd_addr_to_str(&cl->statics[i], buf)));
	text = cJSON_PrintUnformatted(j);
	if (!text)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s.json", cl->net);
	return nd_file_replace(cl->cache_fd, name, text, strlen(text));
}

static int parse_block_size(struct cni_ctx *ctx, struct ipam_cluster *cl)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(ctx->conf, "ipam");
	unsigned len = 0;
	int r = nd_conf_uint(ctx, ipam, "ipam", "blockSize", 1, 128, &len);

	cl->block4 = 26; /* 64 addresses: a host's first 62 containers in one claim */
	cl->block6 = 122;
	if (r >= 0 && len) {
		cl->block6 = len;
		cl->block4 = len > 32 ? 26 : len;
	}
	return r;
}

int ipam_cluster_open(struct cni_ctx *ctx, const char *lib_dir, struct ipam_cluster **ret)
{
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cl = NULL;
	_cleanup_(closep) int lib = -1;
	const char *path;
	const cJSON *store = nd_etcd_conf_find(ctx->conf, &path);
	int r;

	*ret = NULL;
	if (!store)
		return 0;
	if (!cJSON_IsObject(store))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s must be an object", path);
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->cache_fd = -1;
	r = nd_etcd_conf_parse(ctx, store, path, &cl->conf);
	if (r >= 0)
		r = parse_block_size(ctx, cl);
	if (r < 0)
		return r;
	nd_host_name(cl->host);
	snprintf(cl->net, sizeof(cl->net), "%s", ctx->net_name);
	lib = nd_dir_open(lib_dir, true);
	cl->cache_fd = lib < 0 ? lib : nd_subdir_open(lib, "ipam-blocks", true);
	if (cl->cache_fd < 0)
		return cni_fail(ctx, CNI_ERR_IO, cl->cache_fd, "ipam: %s/ipam-blocks: %s", lib_dir,
				strerror(-cl->cache_fd));
	cache_load(cl);
	*ret = steal_ptr(cl);
	return 0;
}

void ipam_cluster_close(struct ipam_cluster *cl)
{
	if (!cl)
		return;
	if (cl->dirty && cache_save(cl) < 0)
		nd_err("ipam: could not save the block cache of %s", cl->net);
	/* The benchmark counts these lines: a block with room means none. */
	if (cl->e && nd_etcd_requests(cl->e))
		nd_info("ipam %s: %lu etcd requests", cl->net, nd_etcd_requests(cl->e));
	nd_etcd_close(cl->e);
	nd_etcd_conf_clear(&cl->conf);
	if (cl->cache_fd >= 0)
		close(cl->cache_fd);
	free(cl);
}

const char *ipam_cluster_tried(const struct ipam_cluster *cl)
{
	return cl->tried;
}

int cluster_client(struct ipam_cluster *cl, struct nd_etcd **ret)
{
	int r = 0;

	if (!cl->e)
		r = nd_etcd_open(&cl->conf, &cl->e);
	*ret = cl->e;
	return r;
}

/* Keeps what the failed request tried, for the CNI error message. */
int cluster_failed(struct ipam_cluster *cl, int r)
{
	if (r == -EHOSTUNREACH && cl->e)
		snprintf(cl->tried, sizeof(cl->tried), "%s", nd_etcd_tried(cl->e));
	return r;
}

struct nd_prefix cluster_block_of(const struct ipam_cluster *cl, const struct ipam_range *r,
				  const struct nd_addr *a)
{
	unsigned len = a->family == AF_INET6 ? cl->block6 : cl->block4;
	struct nd_prefix p = { .addr = *a, .len = len < r->subnet.len ? r->subnet.len : len };

	return nd_prefix_network(&p);
}

void cluster_block_key(const struct ipam_cluster *cl, const struct nd_prefix *b, char *buf)
{
	char a[ND_ADDR_STRLEN];

	snprintf(buf, KEY_MAX, "%s/ipam/%s/blocks/%s-%u", cl->conf.prefix, cl->net,
		 nd_addr_to_str(&b->addr, a), b->len);
}

void cluster_static_key(const struct ipam_cluster *cl, const struct nd_addr *a, char *buf)
{
	char s[ND_ADDR_STRLEN];

	snprintf(buf, KEY_MAX, "%s/ipam/%s/ips/%s", cl->conf.prefix, cl->net, nd_addr_to_str(a, s));
}

bool cluster_mine(const struct ipam_cluster *cl, const struct nd_prefix *b)
{
	for (size_t i = 0; i < cl->n_blocks; i++)
		if (cl->blocks[i].len == b->len && nd_addr_equal(&cl->blocks[i].addr, &b->addr))
			return true;
	return false;
}

void cluster_adopt(struct ipam_cluster *cl, const struct nd_prefix *b)
{
	if (cl->n_blocks < MAX_BLOCKS && !cluster_mine(cl, b)) {
		cl->blocks[cl->n_blocks++] = *b;
		cl->dirty = true;
	}
}
