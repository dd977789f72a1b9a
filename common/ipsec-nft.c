// SPDX-License-Identifier: MIT
/*
 * The overlay's nftables part of encryption: a mark on the VXLAN packets of
 * encrypted VNIs (the outbound policy matches it), a drop of those packets
 * when no policy took them (they would leave in clear), and a drop of
 * arriving VXLAN of those VNIs that did not come through ESP.
 */
#include "ipsec-nft.h"

#include <errno.h>
#include <string.h>

#include "ipsec.h"

#define MAP "overlay_encrypted"
#define CHAIN_OUT "overlay-encrypt-out"
#define CHAIN_IN "overlay-encrypt-in"
#define CHAIN_POST "overlay-encrypt-post"

/* UDP destination port . VXLAN VNI (RFC 7348: bytes 4-6 of the VXLAN header, after UDP's 8). */
static void load_port_vni(struct nd_nft_rule *r)
{
	nd_nft_match_l4proto(r, IPPROTO_UDP);
	nd_nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_00);
	nd_nft_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 8 + 4, 3, NFT_REG32_01);
}

static int rules_out(struct nd_nft_txn *txn)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, CHAIN_OUT);

	load_port_vni(r);
	nd_nft_lookup(r, MAP, NFT_REG32_00, NFT_REG32_02, false);
	nd_nft_meta_set(r, NFT_META_MARK, NFT_REG32_02);
	nd_nft_comment(r, "encrypted overlay: the mark selects the ESP policy");
	return nd_nft_rule_end(txn, r);
}

/*
 * A drop of an encrypted VNI's VXLAN that shows no IPsec: on the way out, a
 * route without an xfrm bundle (the mark re-ran routing and no policy took
 * the packet: flushed by another tool, or not yet restored by
 * netdock-overlayd; it would leave as plain VXLAN; the encrypted packet
 * passes here too, as ESP, which the port match leaves alone); on the way
 * in, no secpath (it did not come through ESP).
 */
static int rule_drop_plain(struct nd_nft_txn *txn, const char *chain, bool out, const char *why)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, chain);
	uint8_t none = 0;

	load_port_vni(r);
	/* Into a scratch register: Linux before 6.x refuses a map lookup without one (EINVAL). */
	nd_nft_lookup(r, MAP, NFT_REG32_00, NFT_REG32_02, false);
	if (out)
		nd_nft_rt(r, NFT_RT_XFRM, NFT_REG_1);
	else
		nd_nft_meta(r, NFT_META_SECPATH, NFT_REG_1);
	nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, &none, 1);
	nd_nft_counter(r);
	nd_nft_verdict(r, NF_DROP, NULL);
	nd_nft_comment(r, why);
	return nd_nft_rule_end(txn, r);
}

int nd_ipsec_nft_declare(struct nd_nft_txn *txn)
{
	/* Key types only name the fields for nft list; the bytes are port, then VNI. */
	static const struct nd_nft_set_spec map = {
		.name = MAP,
		.key = { ND_NFT_TYPE_INET_SERVICE, ND_NFT_TYPE_MARK },
		.n_key = 2,
		.data = { ND_NFT_TYPE_MARK },
		.n_data = 1,
	};
	int r = nd_nft_table_declare(txn);

	if (r >= 0)
		r = nd_nft_set_declare(txn, &map);
	/* Mangle priority, in a route chain: a changed mark re-runs routing and the xfrm lookup. */
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_OUT, "route", NF_INET_LOCAL_OUT, -150);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_IN, "filter", NF_INET_LOCAL_IN, -150);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, CHAIN_POST, "filter", NF_INET_POST_ROUTING, 150);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_OUT);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_IN);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, CHAIN_POST);
	if (r >= 0)
		r = rules_out(txn);
	if (r >= 0)
		r = rule_drop_plain(txn, CHAIN_POST, true,
				    "encrypted overlay: VXLAN that no IPsec policy took");
	return r < 0 ? r :
		       rule_drop_plain(txn, CHAIN_IN, false,
				       "encrypted overlay: VXLAN that did not come through ESP");
}

static void key_of(struct nd_nft_data *k, uint16_t port, unsigned vni)
{
	uint8_t v[4] = { (uint8_t)(vni >> 16), (uint8_t)(vni >> 8), (uint8_t)vni, 0 };

	memset(k, 0, sizeof(*k));
	nd_nft_data_put_port(k, port);
	nd_nft_data_put(k, v, sizeof(v));
}

int nd_ipsec_nft_add(struct nd_nft_txn *txn, uint16_t port, unsigned vni)
{
	struct nd_nft_data k, d = { .len = 0 };
	uint32_t mark = nd_ipsec_mark(vni); /* meta mark reads the register in host order */

	key_of(&k, port, vni);
	nd_nft_data_put(&d, &mark, sizeof(mark));
	return nd_nft_elem_add(txn, MAP, &k, &d);
}

int nd_ipsec_nft_del(struct nd_nft_txn *txn, uint16_t port, unsigned vni)
{
	struct nd_nft_data k;

	key_of(&k, port, vni);
	return nd_nft_elem_del(txn, MAP, &k);
}

int nd_ipsec_nft_exists(uint16_t port, unsigned vni)
{
	struct nd_nft_data k;

	key_of(&k, port, vni);
	return nd_nft_elem_exists(MAP, &k);
}
