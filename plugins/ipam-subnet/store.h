/* SPDX-License-Identifier: MIT */
/*
 * The lease store: who holds which address of a network. Files under the
 * lib dir now (store-file.c); an etcd store for the overlay will implement
 * the same calls (DESIGN.md "Multi-host"). Every call runs under the
 * network's lock, taken by ipam_store_open and dropped by close.
 */
#ifndef IPAM_STORE_H
#define IPAM_STORE_H

#include <stddef.h>

#include "cleanup.h"
#include "cni.h"
#include "ip.h"
#include "ipam.h"

struct ipam_store;

/* Opens (creating) the store of network net and locks it. Returns 0 or -errno. */
int ipam_store_open(const char *lib_dir, const char *net, struct ipam_store **ret);
/*
 * Removes the store of a network left without leases (netdock network rm):
 * 0 when gone or absent, -ENOTEMPTY while an address is still leased.
 */
int ipam_store_destroy(const char *lib_dir, const char *net);
/* Unlocks and frees; NULL-safe. */
void ipam_store_close(struct ipam_store *s);

/* Addresses recorded for (cid, ifname) into ret[max]; returns the count (0: none). */
int ipam_store_owned(struct ipam_store *s, const char *cid, const char *ifname, struct nd_addr *ret,
		     size_t max);
/* Records the addresses of (cid, ifname), replacing earlier ones; n 0 forgets it. */
int ipam_store_set_owned(struct ipam_store *s, const char *cid, const char *ifname,
			 const struct nd_addr *addrs, size_t n);

/* Takes a for (cid, ifname): 0, or -EEXIST when another attachment holds it. */
int ipam_store_reserve(struct ipam_store *s, const struct nd_addr *a, const char *cid,
		       const char *ifname);
/* The holder of a: 0 and *ret filled, or -ENOENT when free. */
int ipam_store_holder(struct ipam_store *s, const struct nd_addr *a, struct cni_attachment *ret);
/* Frees a when (cid, ifname) holds it; a free address is success. */
int ipam_store_release(struct ipam_store *s, const struct nd_addr *a, const char *cid,
		       const char *ifname);

/*
 * Reserves the next free address of range r for (cid, ifname): 0 and *ret,
 * or -ENOSPC when the range is full. Cost does not grow with the number of
 * leases (a per-range bitmap hint, repaired when it disagrees with the leases).
 */
/*
 * intent(data, candidate) runs before each reservation attempt, so the caller
 * can record the candidate first: a process killed between the two then
 * leaves a record that names the lease, never a lease nobody knows of.
 */
typedef int (*ipam_intent_fn)(void *data, const struct nd_addr *candidate);
int ipam_store_allocate(struct ipam_store *s, const struct ipam_range *r, const char *cid,
			const char *ifname, ipam_intent_fn intent, void *data, struct nd_addr *ret);
/* Removes every lease whose holder is not an owner in keep[n] (GC after crashes). */
int ipam_store_sweep(struct ipam_store *s, const struct cni_attachment *keep, size_t n);
/* True when range r has a free address (STATUS); does not reserve. */
int ipam_store_has_room(struct ipam_store *s, const struct ipam_range *r);

/* Every (cid, ifname) with leases, in a new array (caller frees); returns the count. */
int ipam_store_owners(struct ipam_store *s, struct cni_attachment **ret);

/*
 * The cluster layer (store-etcd*.c), over the file store when the config has
 * a "store" (ipam.store, else the root's, as overlay passes it): a host
 * claims address blocks of a range in etcd with one compare-and-create and
 * allocates inside them through the file store, so an ADD reaches etcd only
 * when its blocks are full. Static addresses are claimed cluster-wide.
 * Every call runs with the file store open (its network lock held).
 */
struct ipam_cluster;

struct ipam_holder {
	char host[64];
	struct cni_attachment att; /* empty when block is set */
	char block[ND_PREFIX_STRLEN]; /* the address lies in this block of host */
};

/* *ret is NULL when the config names no store. Sends nothing yet. CNI 7 on bad config. */
int ipam_cluster_open(struct cni_ctx *ctx, const char *lib_dir, struct ipam_cluster **ret);
void ipam_cluster_close(struct ipam_cluster *cl);
ND_CLEANUP(struct ipam_cluster *, ipam_cluster_close)
/*
 * As ipam_store_allocate, inside this host's blocks of r, claiming a new
 * block when they are full: -ENOSPC when r has no free block left in the
 * cluster, -EHOSTUNREACH when etcd was needed and no member answered.
 */
int ipam_cluster_allocate(struct ipam_cluster *cl, struct ipam_store *s, const struct ipam_range *r,
			  const char *cid, const char *ifname, ipam_intent_fn intent, void *data,
			  struct nd_addr *ret);
/* Claims static address a for (cid, ifname): 0, or -EEXIST with *ret_holder. */
int ipam_cluster_claim(struct ipam_cluster *cl, const struct nd_addr *a, unsigned subnet_len,
		       const char *cid, const char *ifname, struct ipam_holder *ret_holder);
/* Gives back the static claims of (cid, ifname) among addrs[n]; best effort (logged). */
void ipam_cluster_release(struct ipam_cluster *cl, const struct nd_addr *addrs, size_t n,
			  const char *cid, const char *ifname);
/* Releases this host's blocks that hold no lease, and claims of owners not in keep[n]. */
int ipam_cluster_gc(struct ipam_cluster *cl, struct ipam_store *s,
		    const struct cni_attachment *keep, size_t n);
/* 1 when an ADD in r can get an address: room in a block, or etcd reachable with a free block. */
int ipam_cluster_has_room(struct ipam_cluster *cl, struct ipam_store *s,
			  const struct ipam_range *r);
/* After -EHOSTUNREACH: the endpoints tried and why. */
const char *ipam_cluster_tried(const struct ipam_cluster *cl);

#endif
