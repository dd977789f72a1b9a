// SPDX-License-Identifier: MIT
/* Forward and postrouting rules for bridge networks, all matching sets. */
#include "isolation.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/netfilter/nf_conntrack_common.h>

#include "cleanup.h"

#define CHAIN_FORWARD "bridge-forward"
#define CHAIN_POSTROUTING "bridge-postrouting"
#define SET_BRIDGES "bridges"
#define SET_INTERNAL "internal"
#define SET_MASQ4 "masq4"
#define SET_MASQ6 "masq6"
#define SET_SAME "same-bridge"

static const struct nd_nft_set_spec sets[] = {
	{ .name = SET_BRIDGES, .key = { ND_NFT_TYPE_IFNAME }, .n_key = 1 },
	{ .name = SET_SAME, .key = { ND_NFT_TYPE_IFNAME, ND_NFT_TYPE_IFNAME }, .n_key = 2 },
	{ .name = SET_INTERNAL, .key = { ND_NFT_TYPE_IFNAME }, .n_key = 1 },
	{ .name = SET_MASQ4, .key = { ND_NFT_TYPE_IPV4 }, .n_key = 1, .interval = true },
	{ .name = SET_MASQ6, .key = { ND_NFT_TYPE_IPV6 }, .n_key = 1, .interval = true },
};

static void match_if_in(struct nd_nft_rule *r, uint32_t key, const char *set, bool invert)
{
	nd_nft_meta(r, key, NFT_REG_1);
	nd_nft_lookup(r, set, NFT_REG_1, -1, invert);
}

/*
 * Traffic that enters and leaves one bridge stays in its network: hairpin to
 * a published port, and every bridged frame when br_netfilter is loaded
 * (it reports the bridge as both input and output interface).
 */
static int rule_same_bridge(struct nd_nft_txn *txn)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_FORWARD);

	nd_nft_meta(r, NFT_META_IIFNAME, NFT_REG_1);
	nd_nft_meta(r, NFT_META_OIFNAME, NFT_REG_2);
	nd_nft_lookup(r, SET_SAME, NFT_REG_1, -1, false);
	nd_nft_comment(r, "within one network");
	nd_nft_verdict(r, NF_ACCEPT, NULL);
	return nd_nft_rule_end(txn, r);
}

static int rule_if_set_drop(struct nd_nft_txn *txn, uint32_t key, const char *comment)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_FORWARD);

	match_if_in(r, key, SET_INTERNAL, false);
	nd_nft_counter(r);
	nd_nft_comment(r, comment);
	nd_nft_verdict(r, NF_DROP, NULL);
	return nd_nft_rule_end(txn, r);
}

/* Between two netdock bridges only published (DNATed) flows pass. */
static int rule_between_bridges(struct nd_nft_txn *txn, bool dnat)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_FORWARD);
	uint32_t mask = IPS_DST_NAT, zero = 0;

	match_if_in(r, NFT_META_IIFNAME, SET_BRIDGES, false);
	match_if_in(r, NFT_META_OIFNAME, SET_BRIDGES, false);
	if (dnat) {
		nd_nft_ct(r, NFT_CT_STATUS, NFT_REG_1);
		nd_nft_bitwise(r, NFT_REG_1, &mask, &zero, sizeof(mask));
		nd_nft_cmp(r, NFT_REG_1, NFT_CMP_NEQ, &zero, sizeof(zero));
		nd_nft_comment(r, "published ports cross networks");
		nd_nft_verdict(r, NF_ACCEPT, NULL);
	} else {
		nd_nft_counter(r);
		nd_nft_comment(r, "isolation between networks");
		nd_nft_verdict(r, NF_DROP, NULL);
	}
	return nd_nft_rule_end(txn, r);
}

static int rule_masquerade(struct nd_nft_txn *txn, bool v6)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_POSTROUTING);

	nd_nft_match_nfproto(r, v6 ? NFPROTO_IPV6 : NFPROTO_IPV4);
	nd_nft_payload(r, NFT_PAYLOAD_NETWORK_HEADER, v6 ? 8 : 12, v6 ? 16 : 4, NFT_REG_1);
	nd_nft_lookup(r, v6 ? SET_MASQ6 : SET_MASQ4, NFT_REG_1, -1, false);
	match_if_in(r, NFT_META_OIFNAME, SET_BRIDGES, true);
	nd_nft_counter(r);
	nd_nft_comment(r, "masquerade leaving the host");
	nd_nft_masq(r);
	return nd_nft_rule_end(txn, r);
}

static int declare(struct nd_nft_txn *txn)
{
	int r = nd_nft_table_declare(txn);

	for (size_t i = 0; r >= 0 && i < ND_ARRAY_SIZE(sets); i++)
		r = nd_nft_set_declare(txn, &sets[i]);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_FORWARD, "filter", NF_INET_FORWARD, 0);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_POSTROUTING, "nat", NF_INET_POST_ROUTING, 100);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_FORWARD);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_POSTROUTING);
	if (r >= 0)
		r = rule_same_bridge(txn);
	if (r >= 0)
		r = rule_if_set_drop(txn, NFT_META_IIFNAME, "internal networks stay inside");
	if (r >= 0)
		r = rule_if_set_drop(txn, NFT_META_OIFNAME, "internal networks stay inside");
	if (r >= 0)
		r = rule_between_bridges(txn, true);
	if (r >= 0)
		r = rule_between_bridges(txn, false);
	if (r >= 0)
		r = rule_masquerade(txn, false);
	if (r >= 0)
		r = rule_masquerade(txn, true);
	return r;
}

static struct nd_nft_data ifname_key(const char *ifname)
{
	struct nd_nft_data k = { .len = 0 };

	nd_nft_data_put_ifname(&k, ifname);
	return k;
}

static struct nd_nft_data same_key(const char *ifname)
{
	struct nd_nft_data k = ifname_key(ifname);

	nd_nft_data_put_ifname(&k, ifname);
	return k;
}

static void prefix_bounds(const struct nd_prefix *p, struct nd_nft_data *lo, struct nd_nft_data *hi)
{
	struct nd_prefix net = nd_prefix_network(p);
	struct nd_addr last = nd_prefix_last(p);

	lo->len = hi->len = 0;
	nd_nft_data_put(lo, net.addr.bytes, nd_addr_len(&net.addr));
	nd_nft_data_put(hi, last.bytes, nd_addr_len(&last));
}

static const char *masq_set(const struct nd_prefix *p)
{
	return p->addr.family == AF_INET6 ? SET_MASQ6 : SET_MASQ4;
}

int nd_isolation_add(struct nd_nft_txn *txn, const struct nd_isolation_net *n)
{
	struct nd_nft_data k = ifname_key(n->bridge), same = same_key(n->bridge);
	int r = declare(txn);

	if (r >= 0)
		r = nd_nft_elem_add(txn, SET_BRIDGES, &k, NULL);
	if (r >= 0)
		r = nd_nft_elem_add(txn, SET_SAME, &same, NULL);
	if (r >= 0 && n->internal)
		r = nd_nft_elem_add(txn, SET_INTERNAL, &k, NULL);
	for (size_t i = 0; r >= 0 && n->masquerade && !n->internal && i < n->n_subnets; i++) {
		struct nd_nft_data lo, hi;

		prefix_bounds(&n->subnets[i], &lo, &hi);
		r = nd_nft_elem_add_range(txn, masq_set(&n->subnets[i]), &lo, &hi);
	}
	return r;
}

int nd_isolation_remove(struct nd_nft_txn *txn, const struct nd_isolation_net *n)
{
	struct nd_nft_data k = ifname_key(n->bridge), same = same_key(n->bridge);
	int r = 0;

	if (nd_nft_txn_elem_exists(txn, SET_BRIDGES, &k) > 0)
		r = nd_nft_elem_del(txn, SET_BRIDGES, &k);
	if (r >= 0 && nd_nft_txn_elem_exists(txn, SET_SAME, &same) > 0)
		r = nd_nft_elem_del(txn, SET_SAME, &same);
	if (r >= 0 && nd_nft_txn_elem_exists(txn, SET_INTERNAL, &k) > 0)
		r = nd_nft_elem_del(txn, SET_INTERNAL, &k);
	for (size_t i = 0; r >= 0 && i < n->n_subnets; i++) {
		struct nd_nft_data lo, hi;

		prefix_bounds(&n->subnets[i], &lo, &hi);
		if (nd_nft_txn_elem_exists(txn, masq_set(&n->subnets[i]), &lo) > 0)
			r = nd_nft_elem_del_range(txn, masq_set(&n->subnets[i]), &lo, &hi);
	}
	return r;
}

int nd_isolation_check(struct nd_nft_txn *txn, const struct nd_isolation_net *n, char *missing,
		       size_t size)
{
	struct nd_nft_data k = ifname_key(n->bridge), same = same_key(n->bridge);

	if (nd_nft_txn_elem_exists(txn, SET_BRIDGES, &k) <= 0) {
		snprintf(missing, size, "%s is not in set %s", n->bridge, SET_BRIDGES);
		return -ENOENT;
	}
	if (nd_nft_txn_elem_exists(txn, SET_SAME, &same) <= 0) {
		snprintf(missing, size, "%s is not in set %s", n->bridge, SET_SAME);
		return -ENOENT;
	}
	if (n->internal && nd_nft_txn_elem_exists(txn, SET_INTERNAL, &k) <= 0) {
		snprintf(missing, size, "%s is not in set %s", n->bridge, SET_INTERNAL);
		return -ENOENT;
	}
	for (size_t i = 0; n->masquerade && !n->internal && i < n->n_subnets; i++) {
		struct nd_nft_data lo, hi;
		char p[ND_PREFIX_STRLEN];

		prefix_bounds(&n->subnets[i], &lo, &hi);
		if (nd_nft_txn_elem_exists(txn, masq_set(&n->subnets[i]), &lo) <= 0) {
			snprintf(missing, size, "%s is not in set %s",
				 nd_prefix_to_str(&n->subnets[i], p), masq_set(&n->subnets[i]));
			return -ENOENT;
		}
	}
	return 0;
}
