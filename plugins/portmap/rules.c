// SPDX-License-Identifier: MIT
/*
 * DNAT through maps: (address . protocol . port) for ports bound to one host
 * address, (protocol . port) for ports on every local address. One lookup per
 * packet however many ports are published; a mapping is one map element.
 */
#include "portmap.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/rtnetlink.h>

#include "cleanup.h"

#define CHAIN_PRE "portmap-prerouting"
#define CHAIN_OUT "portmap-output"
#define CHAIN_POST "portmap-postrouting"

static const char *map_name(int family, bool any)
{
	if (family == AF_INET6)
		return any ? "portmap-any6" : "portmap-addr6";
	return any ? "portmap-any4" : "portmap-addr4";
}

static const char *subnet_set(int family)
{
	return family == AF_INET6 ? "portmap-subnets6" : "portmap-subnets4";
}

static int declare_sets(struct nd_nft_txn *txn)
{
	enum nd_nft_type a4 = ND_NFT_TYPE_IPV4, a6 = ND_NFT_TYPE_IPV6;
	enum nd_nft_type pr = ND_NFT_TYPE_INET_PROTO, sv = ND_NFT_TYPE_INET_SERVICE;
	const struct nd_nft_set_spec specs[] = {
		{ .name = "portmap-addr4",
		  .key = { a4, pr, sv },
		  .n_key = 3,
		  .data = { a4, sv },
		  .n_data = 2 },
		{ .name = "portmap-any4",
		  .key = { pr, sv },
		  .n_key = 2,
		  .data = { a4, sv },
		  .n_data = 2 },
		{ .name = "portmap-addr6",
		  .key = { a6, pr, sv },
		  .n_key = 3,
		  .data = { a6, sv },
		  .n_data = 2 },
		{ .name = "portmap-any6",
		  .key = { pr, sv },
		  .n_key = 2,
		  .data = { a6, sv },
		  .n_data = 2 },
		{ .name = "portmap-subnets4", .key = { a4 }, .n_key = 1, .interval = true },
		{ .name = "portmap-subnets6", .key = { a6 }, .n_key = 1, .interval = true },
	};
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(specs); i++)
		r = nd_nft_set_declare(txn, &specs[i]);
	return r;
}

/* dnat to <family> addr . port from map: registers laid out as nft lays out concatenations. */
static int rule_dnat(struct nd_nft_txn *txn, const char *chain, int family, bool any)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, chain);
	bool v6 = family == AF_INET6;
	uint32_t reg = NFT_REG32_00, local = RTN_LOCAL;

	nd_nft_match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	if (any) {
		nd_nft_fib_daddr_type(r, NFT_REG_1);
		nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, &local, sizeof(local));
	} else {
		nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 24 : 16, v6 ? 16 : 4, reg);
		reg += v6 ? 4 : 1;
	}
	nd_nft_meta(r, NFT_META_L4PROTO, reg);
	nd_nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg + 1);
	nd_nft_lookup(r, map_name(family, any), NFT_REG32_00, (int)(reg + 2), false);
	nd_nft_nat(r, NFT_NAT_DNAT, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, reg + 2,
		   (int)(reg + 2 + (v6 ? 4 : 1)));
	return nd_nft_rule_end(txn, r);
}

/* Published flows from localhost or from a container network leave with the host's address. */
static int rule_masq(struct nd_nft_txn *txn, int family, bool localhost)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_POST);
	bool v6 = family == AF_INET6;
	uint32_t mask = IPS_DST_NAT, zero = 0;
	uint8_t lo_mask[4] = { 255, 0, 0, 0 }, lo_net[4] = { 127, 0, 0, 0 }, x[4] = { 0 };

	nd_nft_match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nd_nft_ct(r, NFT_CT_STATUS, NFT_REG_1);
	nd_nft_bitwise(r, NFT_REG_1, &mask, &zero, sizeof(mask));
	nd_nft_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof(zero));
	nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1);
	if (localhost) {
		nd_nft_bitwise(r, NFT_REG_1, lo_mask, x, 4);
		nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, lo_net, 4);
	} else {
		nd_nft_lookup(r, subnet_set(family), NFT_REG_1, -1, false);
	}
	nd_nft_comment(r,
		       localhost ? "published ports from localhost" : "hairpin to published ports");
	nd_nft_masq(r);
	return nd_nft_rule_end(txn, r);
}

int portmap_rules_declare(struct nd_nft_txn *txn)
{
	static const char *const chains[] = { CHAIN_PRE, CHAIN_OUT };
	int r = nd_nft_table_declare(txn);

	if (r >= 0)
		r = declare_sets(txn);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_PRE, "nat", NF_INET_PRE_ROUTING, -100);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_OUT, "nat", NF_INET_LOCAL_OUT, -100);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_POST, "nat", NF_INET_POST_ROUTING, 100);
	for (size_t i = 0; r >= 0 && i < 2; i++) {
		r = nd_nft_chain_flush(txn, chains[i]);
		for (int f = 0; r >= 0 && f < 4; f++)
			r = rule_dnat(txn, chains[i], f & 1 ? AF_INET6 : AF_INET, f >= 2);
	}
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_POST);
	if (r >= 0)
		r = rule_masq(txn, AF_INET, true);
	if (r >= 0)
		r = rule_masq(txn, AF_INET, false);
	if (r >= 0)
		r = rule_masq(txn, AF_INET6, false);
	return r;
}

static void entry_key(const struct portmap_entry *e, struct nd_nft_data *k)
{
	k->len = 0;
	if (nd_addr_is_set(&e->host_ip))
		nd_nft_data_put(k, e->host_ip.bytes, nd_addr_len(&e->host_ip));
	nd_nft_data_put_u8(k, e->proto);
	nd_nft_data_put_port(k, e->host_port);
}

static void entry_data(const struct portmap_entry *e, struct nd_nft_data *d)
{
	d->len = 0;
	nd_nft_data_put(d, e->target.bytes, nd_addr_len(&e->target));
	nd_nft_data_put_port(d, e->container_port);
}

int portmap_elem_add(struct nd_nft_txn *txn, const struct portmap_entry *e)
{
	struct nd_nft_data k, d;

	entry_key(e, &k);
	entry_data(e, &d);
	return nd_nft_elem_add(txn, map_name(e->family, !nd_addr_is_set(&e->host_ip)), &k, &d);
}

int portmap_elem_del(struct nd_nft_txn *txn, const struct portmap_entry *e)
{
	struct nd_nft_data k;
	const char *map = map_name(e->family, !nd_addr_is_set(&e->host_ip));

	entry_key(e, &k);
	/* Deleting a missing element would abort the whole batch: DEL stays idempotent. */
	if (nd_nft_elem_exists(map, &k) <= 0)
		return 0;
	return nd_nft_elem_del(txn, map, &k);
}

int portmap_elem_exists(const struct portmap_entry *e)
{
	struct nd_nft_data k;

	entry_key(e, &k);
	return nd_nft_elem_exists(map_name(e->family, !nd_addr_is_set(&e->host_ip)), &k);
}

int portmap_sets_declare(struct nd_nft_txn *txn)
{
	int r = nd_nft_table_declare(txn);

	return r < 0 ? r : declare_sets(txn);
}
