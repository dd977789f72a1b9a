/* SPDX-License-Identifier: MIT */
/*
 * The etcd cluster layer's parts (store-etcd.c: config, cache, keys;
 * store-etcd-blocks.c: address blocks; store-etcd-static.c: static
 * addresses), under <prefix>/ipam/<net>/: blocks/<addr>-<len> = host,
 * ips/<addr> = holder. Not an API: store.h is.
 */
#ifndef IPAM_STORE_ETCD_H
#define IPAM_STORE_ETCD_H

#include "etcd-conf.h"
#include "store.h"

#define MAX_BLOCKS 1024
#define MAX_STATICS 1024
#define KEY_MAX (CNI_MAX_NAME + 256)
/* Claims retried after a concurrent writer changed what they were decided on. */
#define MAX_REREADS 32

struct ipam_cluster {
	struct nd_etcd_conf conf;
	struct nd_etcd *e; /* opened on the first request */
	char host[64];
	char net[CNI_MAX_NAME];
	unsigned block4, block6; /* block prefix lengths */
	int cache_fd;
	struct nd_prefix blocks[MAX_BLOCKS];
	size_t n_blocks;
	struct nd_addr statics[MAX_STATICS]; /* claimed by this host */
	size_t n_statics;
	bool dirty;
	char tried[1024];
};

/* The etcd client, opened on the first request. */
int cluster_client(struct ipam_cluster *cl, struct nd_etcd **ret);
/* Keeps what the failed request tried, for the CNI error message; returns r. */
int cluster_failed(struct ipam_cluster *cl, int r);
/* The block of r that address a lies in. */
struct nd_prefix cluster_block_of(const struct ipam_cluster *cl, const struct ipam_range *r,
				  const struct nd_addr *a);
void cluster_block_key(const struct ipam_cluster *cl, const struct nd_prefix *b, char *buf);
void cluster_static_key(const struct ipam_cluster *cl, const struct nd_addr *a, char *buf);
/* True when b is in this host's block cache. */
bool cluster_mine(const struct ipam_cluster *cl, const struct nd_prefix *b);
/* Adds b to the cache. */
void cluster_adopt(struct ipam_cluster *cl, const struct nd_prefix *b);
/* Gives back the static claims whose lease went (GC). */
void cluster_statics_gc(struct ipam_cluster *cl, struct nd_etcd *e, struct ipam_store *s);

#endif
