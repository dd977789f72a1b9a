/* SPDX-License-Identifier: MIT */
/*
 * Unforgeable source addresses on netdock bridges: in the bridge family
 * table of the same name, a frame from an endpoint's port is dropped unless
 * its IPv4/IPv6 (or ARP sender) address is one that endpoint holds. Fixed
 * rules, one set lookup per legitimate packet; each endpoint is only set
 * elements (its port, and port . address pairs), added on ADD and removed on
 * DEL/GC. dnsd identifies a querier by its source address: this is what
 * keeps a container from reading its neighbour's links and aliases.
 */
#ifndef ND_ANTISPOOF_H
#define ND_ANTISPOOF_H

#include <stddef.h>

#include "ip.h"
#include "nft.h"

/* Queues the bridge table, its sets, chain and rules, then port's elements. */
int nd_antispoof_add(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
		     size_t n_ips);
/*
 * Queues the removal of port's elements. Each is added and then deleted in
 * the same batch, so one that is already gone is no error.
 */
int nd_antispoof_remove(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
			size_t n_ips);

#endif
