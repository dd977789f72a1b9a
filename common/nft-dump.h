/* SPDX-License-Identifier: MIT */
/*
 * Read-only nftables queries on any family's tables (netdock's own, and the
 * ip/ip6 "filter" tables iptables-nft keeps): one socket per query, closed
 * before returning; nothing is changed.
 */
#ifndef ND_NFT_DUMP_H
#define ND_NFT_DUMP_H

#include <stdbool.h>
#include <stdint.h>

#include "nft.h"

struct nftnl_rule;

struct nd_nft_chain_info {
	uint8_t family; /* NFPROTO_* */
	char table[64];
	char name[64];
	bool base; /* hooked: hook, priority and policy are set */
	uint32_t hook; /* NF_INET_* */
	int32_t priority;
	uint32_t policy; /* NF_ACCEPT or NF_DROP */
};

/* Calls cb for each chain of family (NFPROTO_UNSPEC: all) and table (NULL: all); cb's error stops. */
int nd_nft_chains_each(uint8_t family, const char *table,
		       int (*cb)(const struct nd_nft_chain_info *, void *), void *data);
/* Calls cb for each rule of the chain, in order (borrowed, valid during the call). */
int nd_nft_rules_each(uint8_t family, const char *table, const char *chain,
		      int (*cb)(const struct nftnl_rule *, void *), void *data);

#endif
