/* SPDX-License-Identifier: MIT */
/*
 * nftables for encrypted overlay networks, in the table inet netdock: the
 * map overlay_encrypted (UDP port . VNI -> mark) and the overlay's chains
 * overlay-encrypt-out (marks), overlay-encrypt-post (drops those VNIs'
 * VXLAN that no IPsec policy took) and overlay-encrypt-in (drops VXLAN of
 * those VNIs that arrived without ESP). Each call queues into txn; the
 * caller commits.
 */
#ifndef ND_IPSEC_NFT_H
#define ND_IPSEC_NFT_H

#include <stdint.h>

#include "nft.h"

/* Table, map and the three chains with their one rule each (flushed and re-added). */
int nd_ipsec_nft_declare(struct nd_nft_txn *txn);
int nd_ipsec_nft_add(struct nd_nft_txn *txn, uint16_t port, unsigned vni);
int nd_ipsec_nft_del(struct nd_nft_txn *txn, uint16_t port, unsigned vni);
/* 1 when the element is there, 0 when not, or -errno. */
int nd_ipsec_nft_exists(uint16_t port, unsigned vni);

#endif
