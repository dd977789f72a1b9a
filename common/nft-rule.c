// SPDX-License-Identifier: MIT
/* Rule builder: one function per nftables expression, appended in order. */
#include "nft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netfilter/x_tables.h>

#include <libnftnl/expr.h>
#include <libnftnl/udata.h>

#include "nft-internal.h"

/* A rule under construction; broken records an allocation failure until end. */
struct nd_nft_rule {
	struct nftnl_rule *rule;
	bool broken;
};

struct nd_nft_rule *nd_nft_rule_begin(struct nd_nft_txn *txn, const char *chain)
{
	struct nd_nft_rule *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->rule = nftnl_rule_alloc();
	if (!r->rule) {
		free(r);
		return NULL;
	}
	nftnl_rule_set_str(r->rule, NFTNL_RULE_TABLE, txn->table);
	nftnl_rule_set_str(r->rule, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(r->rule, NFTNL_RULE_FAMILY, txn->family);
	return r;
}

static struct nftnl_expr *expr_add(struct nd_nft_rule *r, const char *name)
{
	struct nftnl_expr *e;

	if (!r || r->broken)
		return NULL;
	e = nftnl_expr_alloc(name);
	if (!e) {
		r->broken = true;
		return NULL;
	}
	nftnl_rule_add_expr(r->rule, e);
	return e;
}

/* An expression of one key and one register (meta, rt, ct: each names its attributes). */
static void expr_key_reg(struct nd_nft_rule *r, const char *name, uint16_t key_attr, uint32_t key,
			 uint16_t reg_attr, uint32_t reg)
{
	struct nftnl_expr *e = expr_add(r, name);

	if (!e)
		return;
	nftnl_expr_set_u32(e, key_attr, key);
	nftnl_expr_set_u32(e, reg_attr, reg);
}

void nd_nft_meta(struct nd_nft_rule *r, uint32_t key, uint32_t dreg)
{
	expr_key_reg(r, "meta", NFTNL_EXPR_META_KEY, key, NFTNL_EXPR_META_DREG, dreg);
}

void nd_nft_rt(struct nd_nft_rule *r, uint32_t key, uint32_t dreg)
{
	expr_key_reg(r, "rt", NFTNL_EXPR_RT_KEY, key, NFTNL_EXPR_RT_DREG, dreg);
}

void nd_nft_meta_set(struct nd_nft_rule *r, uint32_t key, uint32_t sreg)
{
	expr_key_reg(r, "meta", NFTNL_EXPR_META_KEY, key, NFTNL_EXPR_META_SREG, sreg);
}

void nd_nft_payload(struct nd_nft_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		    uint32_t dreg)
{
	struct nftnl_expr *e = expr_add(r, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

void nd_nft_cmp(struct nd_nft_rule *r, uint32_t sreg, uint32_t op, const void *data, size_t len)
{
	struct nftnl_expr *e = expr_add(r, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, (uint32_t)len);
}

void nd_nft_bitwise(struct nd_nft_rule *r, uint32_t reg, const void *mask, const void *xor_,
		    size_t len)
{
	struct nftnl_expr *e = expr_add(r, "bitwise");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, (uint32_t)len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, (uint32_t)len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor_, (uint32_t)len);
}

void nd_nft_lookup(struct nd_nft_rule *r, const char *set, uint32_t sreg, int dreg, bool invert)
{
	struct nftnl_expr *e = expr_add(r, "lookup");

	if (!e)
		return;
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	if (dreg >= 0)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, (uint32_t)dreg);
	if (invert)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, NFT_LOOKUP_F_INV);
}

void nd_nft_ct(struct nd_nft_rule *r, uint32_t key, uint32_t dreg)
{
	expr_key_reg(r, "ct", NFTNL_EXPR_CT_KEY, key, NFTNL_EXPR_CT_DREG, dreg);
}

void nd_nft_fib_daddr_type(struct nd_nft_rule *r, uint32_t dreg)
{
	struct nftnl_expr *e = expr_add(r, "fib");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, dreg);
}

void nd_nft_immediate(struct nd_nft_rule *r, uint32_t dreg, const void *data, size_t len)
{
	struct nftnl_expr *e = expr_add(r, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, (uint32_t)len);
}

void nd_nft_counter(struct nd_nft_rule *r)
{
	expr_add(r, "counter");
}

void nd_nft_verdict(struct nd_nft_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = expr_add(r, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
}

void nd_nft_masq(struct nd_nft_rule *r)
{
	expr_add(r, "masq");
}

void nd_nft_nat(struct nd_nft_rule *r, uint32_t type, uint32_t family, uint32_t reg_addr,
		int reg_port)
{
	struct nftnl_expr *e = expr_add(r, "nat");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, family);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, reg_addr);
	if (reg_port >= 0)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, (uint32_t)reg_port);
}

void nd_nft_comment(struct nd_nft_rule *r, const char *text)
{
	struct nftnl_udata_buf *udata;

	if (!r || r->broken)
		return;
	udata = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!udata || !nftnl_udata_put_strz(udata, NFTNL_UDATA_RULE_COMMENT, text)) {
		r->broken = true;
		nftnl_udata_buf_free(udata);
		return;
	}
	nftnl_rule_set_data(r->rule, NFTNL_RULE_USERDATA, nftnl_udata_buf_data(udata),
			    nftnl_udata_buf_len(udata));
	nftnl_udata_buf_free(udata);
}

static void match_ifname(struct nd_nft_rule *r, uint32_t key, const char *ifname, uint32_t op)
{
	char name[16] = { 0 };

	strncpy(name, ifname, sizeof(name) - 1);
	nd_nft_meta(r, key, NFT_REG_1);
	nd_nft_cmp(r, NFT_REG_1, op, name, strlen(name) + 1);
}

void nd_nft_match_iifname(struct nd_nft_rule *r, const char *ifname, uint32_t op)
{
	match_ifname(r, NFT_META_IIFNAME, ifname, op);
}

void nd_nft_match_oifname(struct nd_nft_rule *r, const char *ifname, uint32_t op)
{
	match_ifname(r, NFT_META_OIFNAME, ifname, op);
}

void nd_nft_match_nfproto(struct nd_nft_rule *r, uint8_t nfproto)
{
	nd_nft_meta(r, NFT_META_NFPROTO, NFT_REG_1);
	nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, &nfproto, 1);
}

void nd_nft_match_l4proto(struct nd_nft_rule *r, uint8_t proto)
{
	nd_nft_meta(r, NFT_META_L4PROTO, NFT_REG_1);
	nd_nft_cmp(r, NFT_REG_1, NFT_CMP_EQ, &proto, 1);
}

static int rule_queue(struct nd_nft_txn *txn, struct nd_nft_rule *r, uint16_t flags)
{
	struct nlmsghdr *nlh;
	int ret = -ENOMEM;

	if (!r)
		return -ENOMEM;
	if (!r->broken) {
		nlh = nd_nft_txn_msg(txn, NFT_MSG_NEWRULE, NLM_F_CREATE | flags, "add rule to",
				     nftnl_rule_get_str(r->rule, NFTNL_RULE_CHAIN));
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, r->rule);
			ret = nd_nft_txn_next(txn);
		}
	}
	nftnl_rule_free(r->rule);
	free(r);
	return ret;
}

int nd_nft_rule_end(struct nd_nft_txn *txn, struct nd_nft_rule *r)
{
	return rule_queue(txn, r, NLM_F_APPEND);
}

int nd_nft_rule_end_first(struct nd_nft_txn *txn, struct nd_nft_rule *r)
{
	return rule_queue(txn, r, 0); /* without NLM_F_APPEND the kernel inserts at the head */
}

void nd_nft_xt_match(struct nd_nft_rule *r, const char *name, uint32_t rev, const void *info,
		     size_t len)
{
	struct nftnl_expr *e = expr_add(r, "match");
	/* The kernel wants the info padded as x_tables aligns it (XT_ALIGN). */
	size_t padded = XT_ALIGN(len);
	void *copy;

	if (!e)
		return;
	copy = calloc(1, padded);
	if (!copy) {
		r->broken = true;
		return;
	}
	memcpy(copy, info, len);
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, name);
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, rev);
	/* libnftnl keeps this pointer and frees it with the expression. */
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, copy, (uint32_t)padded);
}
