// SPDX-License-Identifier: MIT
/* Source address validation on bridge ports: bridge-family rules over per-endpoint set elements. */
#include "antispoof.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/if_ether.h>

#include "cleanup.h"

#define CHAIN "antispoof"
#define BR_PRE_ROUTING \
	0 /* NF_BR_PRE_ROUTING: <linux/netfilter_bridge.h> clashes with glibc's in.h */
#define SET_PORTS "antispoof-ports"
#define SET_V4 "antispoof4"
#define SET_V6 "antispoof6"

static const struct nd_nft_set_spec sets[] = {
	{ .name = SET_PORTS, .key = { ND_NFT_TYPE_IFNAME }, .n_key = 1 },
	{ .name = SET_V4, .key = { ND_NFT_TYPE_IFNAME, ND_NFT_TYPE_IPV4 }, .n_key = 2 },
	{ .name = SET_V6, .key = { ND_NFT_TYPE_IFNAME, ND_NFT_TYPE_IPV6 }, .n_key = 2 },
};

/* Where each protocol carries its sender address, from the network header. */
struct proto {
	uint16_t ethertype;
	uint32_t offset, len;
	const char *set;
};

static const struct proto protos[] = {
	{ ETH_P_IP, 12, 4, SET_V4 }, /* ip saddr */
	{ ETH_P_ARP, 14, 4, SET_V4 }, /* arp saddr ip (Ethernet/IPv4 ARP) */
	{ ETH_P_IPV6, 8, 16, SET_V6 }, /* ip6 saddr */
};

static void match_ethertype(struct nd_nft_rule *r, uint16_t ethertype)
{
	uint16_t be = htons(ethertype);

	nd_nft_meta(r, NFT_META_PROTOCOL, NFT_REG_1);
	nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, &be, sizeof(be));
}

/* iifname . saddr @set accept: the one lookup a legitimate packet costs. */
static int rule_allowed(struct nd_nft_txn *txn, const struct proto *p)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN);

	match_ethertype(r, p->ethertype);
	nd_nft_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, p->offset, p->len, NFT_REG_2);
	nd_nft_lookup(r, p->set, NFT_REG_1, -1, false);
	nd_nft_verdict(r, NF_ACCEPT, NULL);
	return nd_nft_rule_end(txn, r);
}

/* IPv6 link-local and the unspecified address (neighbour discovery, DAD) are no one's. */
static int rule_v6_local(struct nd_nft_txn *txn, bool unspecified)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN);
	uint8_t zero[16] = { 0 }, mask[2] = { 0xff, 0xc0 }, ll[2] = { 0xfe, 0x80 }, x[2] = { 0 };

	match_ethertype(r, ETH_P_IPV6);
	if (unspecified) {
		nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1);
		nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, zero, sizeof(zero));
	} else {
		nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 8, 2, NFT_REG_1);
		nd_nft_bitwise(r, NFT_REG_1, mask, x, sizeof(mask));
		nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, ll, sizeof(ll));
	}
	nd_nft_verdict(r, NF_ACCEPT, NULL);
	return nd_nft_rule_end(txn, r);
}

/* Anything else of that protocol from an endpoint's port is forged. */
static int rule_drop(struct nd_nft_txn *txn, const struct proto *p)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN);

	match_ethertype(r, p->ethertype);
	nd_nft_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	nd_nft_lookup(r, SET_PORTS, NFT_REG_1, -1, false);
	nd_nft_counter(r);
	nd_nft_comment(r, "forged source address");
	nd_nft_verdict(r, NF_DROP, NULL);
	return nd_nft_rule_end(txn, r);
}

static int declare(struct nd_nft_txn *txn, bool rules)
{
	int r = nd_nft_table_declare(txn);

	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(sets); i++)
		r = nd_nft_set_declare(txn, &sets[i]);
	if (!rules || r < 0)
		return r;
	/* Ahead of every other bridge filter (nft's "filter" is -200). */
	r = nd_nft_chain_declare(txn, CHAIN, "filter", BR_PRE_ROUTING, -300);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN);
	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(protos); i++) {
		r = rule_allowed(txn, &protos[i]);
		if (r >= 0 && protos[i].ethertype == ETH_P_IPV6)
			r = rule_v6_local(txn, false);
		if (r >= 0 && protos[i].ethertype == ETH_P_IPV6)
			r = rule_v6_local(txn, true);
		if (r >= 0)
			r = rule_drop(txn, &protos[i]);
	}
	return r;
}

static struct nd_nft_data port_key(const char *port)
{
	struct nd_nft_data k = { .len = 0 };

	nd_nft_data_put_ifname(&k, port);
	return k;
}

static struct nd_nft_data addr_key(const char *port, const struct nd_addr *a)
{
	struct nd_nft_data k = port_key(port);

	nd_nft_data_put(&k, a->bytes, nd_addr_len(a));
	return k;
}

static int queue(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
		 size_t n_ips, bool add)
{
	int r = declare(txn, add);

	/* The addresses first, the port last: a port is never guarded with none allowed. */
	for (size_t i = 0; r >= 0 && i <= n_ips; i++) {
		bool v6 = i < n_ips && ips[i].addr.family == AF_INET6;
		const char *set = i == n_ips ? SET_PORTS : v6 ? SET_V6 : SET_V4;
		struct nd_nft_data k = i == n_ips ? port_key(port) : addr_key(port, &ips[i].addr);

		r = nd_nft_elem_add(txn, set, &k, NULL);
		if (r >= 0 && !add)
			r = nd_nft_elem_del(txn, set, &k);
	}
	return r;
}

static int in_bridge_family(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
			    size_t n_ips, bool add)
{
	int r;

	nd_nft_txn_set_family(txn, NFPROTO_BRIDGE);
	r = queue(txn, port, ips, n_ips, add);
	nd_nft_txn_set_family(txn, NFPROTO_INET);
	return r;
}

int nd_antispoof_add(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
		     size_t n_ips)
{
	return in_bridge_family(txn, port, ips, n_ips, true);
}

int nd_antispoof_remove(struct nd_nft_txn *txn, const char *port, const struct nd_prefix *ips,
			size_t n_ips)
{
	return in_bridge_family(txn, port, ips, n_ips, false);
}
