/* SPDX-License-Identifier: MIT */
/*
 * Encrypted networks' key rings in etcd and the rotation driven through it
 * (layout in ipsec-store.c and plugins/overlay/README.md). Secrets never
 * reach a log: errors name keys and steps only.
 */
#ifndef ND_IPSEC_STORE_H
#define ND_IPSEC_STORE_H

#include "etcd.h"
#include "ipsec.h"

/* The ring and its mod_revision: -ENOENT when the network has none, -EBADMSG when it does not parse. */
int nd_ipsec_store_load(struct nd_etcd *e, const char *net, struct nd_ipsec_ring *ret,
			int64_t *ret_rev);
/* The ring, created with a first key when there is none (the first host to try wins). */
int nd_ipsec_store_ensure(struct nd_etcd *e, const char *net, uint64_t now,
			  struct nd_ipsec_ring *ret);
/* This host has installed ring (its state "primary:newest"), under the host's lease. */
int nd_ipsec_store_ack(struct nd_etcd *e, const char *net, const char *host,
		       const struct nd_ipsec_ring *ring, int64_t lease);
/* The newest key id of this host's ack, when there is one (-ENOENT: none; a past run's lease may still hold it). */
int nd_ipsec_store_acked(struct nd_etcd *e, const char *net, const char *host,
			 uint32_t *ret_newest);
/* Asks for a rotation now (netdock-overlayd's next advance begins it). */
int nd_ipsec_store_request(struct nd_etcd *e, const char *net);
/*
 * One rotation step if one is due and every host acked the ring's state
 * (nd_ipsec_ring_next); any host may call it, compare-and-swap keeps one
 * step per state. Returns the step written (ND_IPSEC_STEP_*), 0, or -errno.
 */
int nd_ipsec_store_advance(struct nd_etcd *e, const char *net, uint64_t now, uint64_t interval);

#endif
