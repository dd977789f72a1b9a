/* SPDX-License-Identifier: MIT */
/* The transaction struct shared by nft.c, nft-elem.c, nft-rule.c and nft-commit.c. */
#ifndef ND_NFT_INTERNAL_H
#define ND_NFT_INTERNAL_H

#include <stdint.h>

#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>

#include "cleanup.h"
#include "nft.h"

/* What each queued message was, so an error names the object at fault. */
struct nd_nft_msg {
	uint32_t seq;
	char what[80];
};

struct nd_nft_txn {
	struct mnl_socket *nl;
	struct mnl_nlmsg_batch *batch;
	char *buf;
	char table[64];
	uint8_t family; /* NFPROTO_INET for netdock's table; ip/ip6 for iptables-nft's */
	uint32_t seq;
	struct nd_nft_msg *msgs;
	size_t n_msgs, cap_msgs;
	struct nlmsghdr *last; /* the batch's last message: the only one asking for an ack */
};

ND_CLEANUP(struct nftnl_rule *, nftnl_rule_free)

/* Starts the next message of the batch; NULL on ENOMEM. */
struct nlmsghdr *nd_nft_txn_msg(struct nd_nft_txn *txn, uint16_t type, uint16_t flags,
				const char *what, const char *obj);
/* Closes the current message; -E2BIG when the batch is full. */
int nd_nft_txn_next(struct nd_nft_txn *txn);

#endif
