/* SPDX-License-Identifier: MIT */
/*
 * nftables for bridge-based networks (bridge now, overlay later): isolation
 * between netdock bridges, internal networks, masquerade. Fixed rules match
 * against sets; a network only adds elements.
 */
#ifndef ND_ISOLATION_H
#define ND_ISOLATION_H

#include <stdbool.h>
#include <stddef.h>

#include "ip.h"
#include "nft.h"

#define ND_ISOLATION_MAX_SUBNETS 8

struct nd_isolation_net {
	const char *bridge;
	bool internal; /* nothing forwarded between the bridge and any other interface */
	bool masquerade; /* subnets leaving through another interface are masqueraded */
	struct nd_prefix subnets[ND_ISOLATION_MAX_SUBNETS];
	size_t n_subnets;
};

/* Queues the table, chains, sets and fixed rules, then this network's elements. */
int nd_isolation_add(struct nd_nft_txn *txn, const struct nd_isolation_net *n);
/* Queues removal of this network's elements that exist. */
int nd_isolation_remove(struct nd_nft_txn *txn, const struct nd_isolation_net *n);
/* 0 when every element of the network is present, else -ENOENT and what in missing (asked on txn's socket). */
int nd_isolation_check(struct nd_nft_txn *txn, const struct nd_isolation_net *n, char *missing,
		       size_t size);

#endif
