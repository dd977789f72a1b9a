// SPDX-License-Identifier: MIT
/*
 * Address blocks: a host claims the first free block of a range with one
 * guarded compare-and-create, allocates inside its blocks through the file
 * store, and gives back the empty ones at GC.
 */
#include "store-etcd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "log.h"

/* The part of range r inside block b. False when they do not meet. */
static bool sub_range(const struct ipam_range *r, const struct nd_prefix *b, struct ipam_range *ret)
{
	struct nd_addr last = nd_prefix_last(b);

	if (b->addr.family != r->subnet.addr.family || !nd_prefix_contains(&r->subnet, &b->addr) ||
	    nd_addr_cmp(&last, &r->first) < 0 || nd_addr_cmp(&b->addr, &r->last) > 0)
		return false;
	*ret = *r;
	if (nd_addr_cmp(&b->addr, &r->first) > 0)
		ret->first = b->addr;
	if (nd_addr_cmp(&last, &r->last) < 0)
		ret->last = last;
	return true;
}

/* What etcd says about block b: 1 free, 0 ours, -EBUSY another host's or holds a static. */
static int block_state(const struct ipam_cluster *cl, const struct nd_etcd_kvs *kvs,
		       const struct nd_prefix *b)
{
	char key[KEY_MAX], ips[KEY_MAX];

	cluster_block_key(cl, b, key);
	snprintf(ips, sizeof(ips), "%s/ipam/%s/ips/", cl->conf.prefix, cl->net);
	for (size_t i = 0; i < kvs->n; i++) {
		struct nd_addr a;

		if (!strcmp(kvs->kv[i].key, key))
			return strcmp(kvs->kv[i].value, cl->host) ? -EBUSY : 0;
		/* A block with a static address in it stays unclaimed: its holder took it first. */
		if (!strncmp(kvs->kv[i].key, ips, strlen(ips)) &&
		    nd_addr_parse(kvs->kv[i].key + strlen(ips), &a) == 0 &&
		    nd_prefix_contains(b, &a))
			return -EBUSY;
	}
	return 1;
}

static bool next_block(const struct ipam_range *r, struct nd_prefix *b)
{
	struct nd_addr next = nd_addr_add(&b->addr, nd_prefix_size(b));

	if (nd_addr_cmp(&next, &b->addr) <= 0)
		return false; /* wrapped at the end of the address space */
	b->addr = next;
	return nd_addr_cmp(&b->addr, &r->last) <= 0 && nd_prefix_contains(&r->subnet, &b->addr);
}

/* From *b on, the first block of r that is free (1) or ours in etcd only (0); else -ENOSPC. */
static int first_free(const struct ipam_cluster *cl, const struct nd_etcd_kvs *kvs,
		      const struct ipam_range *r, struct nd_prefix *b)
{
	do {
		int st = cluster_mine(cl, b) ? -EBUSY : block_state(cl, kvs, b);

		if (st >= 0)
			return st;
	} while (next_block(r, b));
	return -ENOSPC;
}

static int read_all(struct ipam_cluster *cl, struct nd_etcd **e, struct nd_etcd_kvs *ret)
{
	char all[KEY_MAX];
	int rc = cluster_client(cl, e);

	snprintf(all, sizeof(all), "%s/ipam/%s/", cl->conf.prefix, cl->net);
	if (rc >= 0)
		rc = nd_etcd_get(*e, all, true, ret);
	return rc < 0 ? cluster_failed(cl, rc) : 0;
}

/*
 * Claims the first free block of r: 0 and *ret, -ENOSPC, or an etcd error.
 * The choice rests on one read of the network's keys; the claim holds only
 * while no static address was claimed since that read, else the choice is
 * made again: a static address and a block holding it never both succeed.
 */
static int claim_block(struct ipam_cluster *cl, const struct ipam_range *r, struct nd_prefix *ret)
{
	struct nd_etcd_kvs kvs = { 0 };
	struct nd_etcd *e = NULL;
	struct nd_prefix b = cluster_block_of(cl, r, &r->first);
	char key[KEY_MAX], ips[KEY_MAX];
	int st, rereads = 0, rc = read_all(cl, &e, &kvs);

	snprintf(ips, sizeof(ips), "%s/ipam/%s/ips/", cl->conf.prefix, cl->net);
	while (rc >= 0) {
		struct nd_etcd_guard no_new_static = { .key = ips,
						       .prefix = true,
						       .unchanged_since = kvs.revision };

		st = first_free(cl, &kvs, r, &b);
		if (st <= 0) {
			/* 0: ours in etcd but not in the cache (lib dir lost): taken back. */
			rc = st;
			break;
		}
		cluster_block_key(cl, &b, key);
		rc = nd_etcd_create_if(e, key, cl->host, 0, &no_new_static, 1, NULL);
		if (rc == -EEXIST) {
			rc = next_block(r, &b) ? 0 : -ENOSPC; /* another host was first */
		} else if (rc == -ESTALE) {
			nd_etcd_kvs_clear(&kvs);
			rc = ++rereads > MAX_REREADS ? -EAGAIN : read_all(cl, &e, &kvs);
		} else {
			break;
		}
	}
	nd_etcd_kvs_clear(&kvs);
	if (rc < 0)
		return cluster_failed(cl, rc);
	cluster_adopt(cl, &b);
	*ret = b;
	return 0;
}

int ipam_cluster_allocate(struct ipam_cluster *cl, struct ipam_store *s, const struct ipam_range *r,
			  const char *cid, const char *ifname, ipam_intent_fn intent, void *data,
			  struct nd_addr *ret)
{
	struct ipam_range sub;
	struct nd_prefix b;
	int e;

	for (size_t i = 0; i < cl->n_blocks; i++) {
		if (!sub_range(r, &cl->blocks[i], &sub))
			continue;
		e = ipam_store_allocate(s, &sub, cid, ifname, intent, data, ret);
		if (e != -ENOSPC)
			return e;
	}
	/* Every block here is full: one more from etcd (a block of only reserved addresses: the next). */
	for (int tries = 0; tries < 64; tries++) {
		e = claim_block(cl, r, &b);
		if (e < 0)
			return e;
		nd_info("ipam %s: host %s claimed block %s/%u", cl->net, cl->host,
			nd_addr_to_str(&b.addr, (char[ND_ADDR_STRLEN]){ 0 }), b.len);
		if (!sub_range(r, &b, &sub))
			continue;
		e = ipam_store_allocate(s, &sub, cid, ifname, intent, data, ret);
		if (e != -ENOSPC)
			return e;
	}
	return -ENOSPC;
}

int ipam_cluster_has_room(struct ipam_cluster *cl, struct ipam_store *s, const struct ipam_range *r)
{
	struct nd_etcd_kvs kvs = { 0 };
	struct nd_etcd *e = NULL;
	struct nd_prefix b = cluster_block_of(cl, r, &r->first);
	struct ipam_range sub;
	int rc;

	for (size_t i = 0; i < cl->n_blocks; i++)
		if (sub_range(r, &cl->blocks[i], &sub) && ipam_store_has_room(s, &sub) > 0)
			return 1;
	rc = read_all(cl, &e, &kvs);
	if (rc >= 0)
		rc = first_free(cl, &kvs, r, &b) >= 0 ? 1 : 0;
	nd_etcd_kvs_clear(&kvs);
	return rc;
}

static bool block_leased(const struct nd_prefix *b, const struct nd_addr *leased, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (nd_prefix_contains(b, &leased[i]))
			return true;
	return false;
}

/* Every address leased here, into a new array; returns the count. */
static int leased_addrs(struct ipam_store *s, struct nd_addr **ret)
{
	_cleanup_(freep) struct cni_attachment *owners = NULL;
	_cleanup_(freep) struct nd_addr *all = NULL;
	int n = ipam_store_owners(s, &owners), total = 0;

	if (n < 0)
		return n;
	all = calloc((size_t)n * CNI_MAX_IPS + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int k = ipam_store_owned(s, owners[i].container_id, owners[i].ifname, all + total,
					 CNI_MAX_IPS);

		total += k > 0 ? k : 0;
	}
	*ret = steal_ptr(all);
	return total;
}

int ipam_cluster_gc(struct ipam_cluster *cl, struct ipam_store *s,
		    const struct cni_attachment *keep, size_t n)
{
	_cleanup_(freep) struct nd_addr *leased = NULL;
	struct nd_etcd *e = NULL;
	char key[KEY_MAX];
	int k = leased_addrs(s, &leased), rc = cluster_client(cl, &e);

	if (k < 0 || rc < 0)
		return k < 0 ? k : rc;
	for (size_t i = 0; i < cl->n_blocks;) {
		if (block_leased(&cl->blocks[i], leased, (size_t)k)) {
			i++;
			continue;
		}
		cluster_block_key(cl, &cl->blocks[i], key);
		rc = nd_etcd_delete_value(e, key, cl->host);
		if (rc < 0 && rc != -EEXIST)
			return cluster_failed(cl, rc); /* etcd away: the next GC releases it */
		nd_info("ipam %s: host %s released block %s", cl->net, cl->host, key);
		cl->blocks[i] = cl->blocks[--cl->n_blocks];
		cl->dirty = true;
	}
	cluster_statics_gc(cl, e, s);
	return 0;
}
