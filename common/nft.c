// SPDX-License-Identifier: MIT
/* nftables transactions: objects queued into one netlink batch, committed with one sendmsg. */
#include "nft.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>

#include "cleanup.h"
#include "closer.h"
#include "nft-internal.h"

/* Past this, the batch is refused with -E2BIG; netdock batches are a few KiB. */
#define BATCH_LIMIT (4u << 20)
#define BATCH_SLACK (64u << 10)

ND_CLEANUP(struct nftnl_table *, nftnl_table_free)
ND_CLEANUP(struct nftnl_chain *, nftnl_chain_free)
ND_CLEANUP(struct nftnl_set *, nftnl_set_free)

const char *nd_nft_table_name(void)
{
	const char *env = getenv("NETDOCK_NFT_TABLE");

	return env && *env ? env : "netdock";
}

int nd_nft_txn_new(struct nd_nft_txn **ret)
{
	return nd_nft_txn_new_in(NFPROTO_INET, nd_nft_table_name(), ret);
}

int nd_nft_txn_new_in(uint8_t family, const char *table, struct nd_nft_txn **ret)
{
	_cleanup_(nd_nft_txn_freep) struct nd_nft_txn *txn = calloc(1, sizeof(*txn));
	int one = 1;

	if (!txn)
		return -ENOMEM;
	txn->buf = malloc(BATCH_LIMIT + BATCH_SLACK);
	if (!txn->buf)
		return -ENOMEM;
	txn->batch = mnl_nlmsg_batch_start(txn->buf, BATCH_LIMIT);
	txn->nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!txn->batch || !txn->nl)
		return -errno ?: -ENOMEM;
	if (mnl_socket_bind(txn->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	/* The kernel's reason for a refused message is worth more than its errno. */
	mnl_socket_setsockopt(txn->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(txn->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	snprintf(txn->table, sizeof(txn->table), "%s", table);
	txn->family = family;
	txn->seq = (uint32_t)time(NULL);
	nftnl_batch_begin(mnl_nlmsg_batch_current(txn->batch), txn->seq++);
	mnl_nlmsg_batch_next(txn->batch);
	*ret = steal_ptr(txn);
	return 0;
}

void nd_nft_txn_set_family(struct nd_nft_txn *txn, uint8_t family)
{
	txn->family = family;
}

void nd_nft_txn_free(struct nd_nft_txn *txn)
{
	if (!txn)
		return;
	if (txn->nl)
		mnl_socket_close(txn->nl);
	if (txn->batch)
		mnl_nlmsg_batch_stop(txn->batch);
	free(txn->buf);
	free(txn->msgs);
	free(txn);
}

void nd_nft_txn_free_via(struct nd_nft_txn *txn, const char *run_dir)
{
	if (txn && txn->nl)
		nd_closer_hand_over(run_dir, mnl_socket_get_fd(txn->nl));
	nd_nft_txn_free(txn);
}

struct nlmsghdr *nd_nft_txn_msg(struct nd_nft_txn *txn, uint16_t type, uint16_t flags,
				const char *what, const char *obj)
{
	struct nd_nft_msg *m;

	if (txn->n_msgs == txn->cap_msgs) {
		size_t cap = txn->cap_msgs ? txn->cap_msgs * 2 : 32;
		struct nd_nft_msg *bigger = realloc(txn->msgs, cap * sizeof(*bigger));

		if (!bigger)
			return NULL;
		txn->msgs = bigger;
		txn->cap_msgs = cap;
	}
	m = &txn->msgs[txn->n_msgs++];
	m->seq = txn->seq;
	snprintf(m->what, sizeof(m->what), "%s %s", what, obj ? obj : "");
	/*
	 * No NLM_F_ACK: the kernel reports a failing message anyway, and an ack
	 * for each of thousands of elements overflowed the socket's receive
	 * buffer (ENOBUFS, the batch applied but unconfirmed). Commit asks for
	 * one ack, on the last message.
	 */
	txn->last = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(txn->batch), type, txn->family,
					  flags, txn->seq++);
	return txn->last;
}

int nd_nft_txn_next(struct nd_nft_txn *txn)
{
	if (!mnl_nlmsg_batch_next(txn->batch))
		return -E2BIG;
	return 0;
}

int nd_nft_table_declare(struct nd_nft_txn *txn)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, txn->table);
	nlh = nd_nft_txn_msg(txn, NFT_MSG_NEWTABLE, NLM_F_CREATE, "add table", txn->table);
	if (!nlh)
		return -ENOMEM;
	nftnl_table_nlmsg_build_payload(nlh, t);
	return nd_nft_txn_next(txn);
}

int nd_nft_table_delete(struct nd_nft_txn *txn)
{
	_cleanup_(nftnl_table_freep) struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, txn->table);
	nlh = nd_nft_txn_msg(txn, NFT_MSG_DELTABLE, 0, "delete table", txn->table);
	if (!nlh)
		return -ENOMEM;
	nftnl_table_nlmsg_build_payload(nlh, t);
	return nd_nft_txn_next(txn);
}

int nd_nft_chain_declare(struct nd_nft_txn *txn, const char *chain, const char *type, int hook,
			 int priority)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c)
		return -ENOMEM;
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, txn->table);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, chain);
	if (type) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, (uint32_t)hook);
		nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, priority);
		nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = nd_nft_txn_msg(txn, NFT_MSG_NEWCHAIN, NLM_F_CREATE, "add chain", chain);
	if (!nlh)
		return -ENOMEM;
	nftnl_chain_nlmsg_build_payload(nlh, c);
	return nd_nft_txn_next(txn);
}

/* DELRULE: one rule by handle, or with handle 0 every rule of the chain. */
static int rule_del(struct nd_nft_txn *txn, const char *chain, uint64_t handle)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	struct nlmsghdr *nlh;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, txn->table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	if (handle)
		nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	nlh = nd_nft_txn_msg(txn, NFT_MSG_DELRULE, 0, handle ? "delete rule from" : "flush chain",
			     chain);
	if (!nlh)
		return -ENOMEM;
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return nd_nft_txn_next(txn);
}

int nd_nft_chain_flush(struct nd_nft_txn *txn, const char *chain)
{
	return rule_del(txn, chain, 0);
}

int nd_nft_rule_delete(struct nd_nft_txn *txn, const char *chain, uint64_t handle)
{
	return handle ? rule_del(txn, chain, handle) : -EINVAL;
}

static uint32_t type_len(enum nd_nft_type t)
{
	switch (t) {
	case ND_NFT_TYPE_IPV6:
	case ND_NFT_TYPE_IFNAME:
		return 16;
	case ND_NFT_TYPE_ETHER:
		return 8; /* 6 bytes, padded to a register */
	default:
		return 4;
	}
}

/* nft encodes a concatenation's type as 6-bit fields, first type most significant. */
static void concat_desc(const enum nd_nft_type *types, size_t n, uint32_t *type, uint32_t *len)
{
	*type = 0;
	*len = 0;
	for (size_t i = 0; i < n; i++) {
		*type = (*type << 6) | (uint32_t)types[i];
		*len += type_len(types[i]);
	}
}

static struct nftnl_set *set_new(const struct nd_nft_txn *txn, const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, txn->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, txn->family);
	return s;
}

/*
 * nft(8) prints elements by the byte order it finds in the set's user data:
 * strings (ifname) are host order to it, addresses and ports big endian.
 */
static int set_byteorder_udata(struct nftnl_set *s, const struct nd_nft_set_spec *spec)
{
	struct nftnl_udata_buf *ud;
	uint32_t order = spec->key[0] == ND_NFT_TYPE_IFNAME ? 1 : 2;

	if (spec->n_key != 1)
		return 0;
	ud = nftnl_udata_buf_alloc(64);
	if (!ud)
		return -ENOMEM;
	nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, order);
	nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
			   nftnl_udata_buf_len(ud));
	nftnl_udata_buf_free(ud);
	return 0;
}

int nd_nft_set_declare(struct nd_nft_txn *txn, const struct nd_nft_set_spec *spec)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = set_new(txn, spec->name);
	uint32_t flags = 0, type, len;
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	if (!spec->n_key || spec->n_key > ND_NFT_MAX_CONCAT || spec->n_data > ND_NFT_MAX_CONCAT)
		return -EINVAL;
	concat_desc(spec->key, spec->n_key, &type, &len);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, len);
	if (spec->n_data == 1 && spec->data[0] == ND_NFT_TYPE_VERDICT) {
		flags |= NFT_SET_MAP;
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_DATA_VERDICT);
	} else if (spec->n_data) {
		flags |= NFT_SET_MAP;
		concat_desc(spec->data, spec->n_data, &type, &len);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, type);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, len);
	}
	if (spec->interval)
		flags |= NFT_SET_INTERVAL;
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_ID, txn->seq);
	if (set_byteorder_udata(s, spec) < 0)
		return -ENOMEM;
	nlh = nd_nft_txn_msg(txn, NFT_MSG_NEWSET, NLM_F_CREATE, "add set", spec->name);
	if (!nlh)
		return -ENOMEM;
	nftnl_set_nlmsg_build_payload(nlh, s);
	return nd_nft_txn_next(txn);
}

int nd_nft_set_flush(struct nd_nft_txn *txn, const char *set)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = set_new(txn, set);
	struct nlmsghdr *nlh;

	if (!s)
		return -ENOMEM;
	nlh = nd_nft_txn_msg(txn, NFT_MSG_DELSETELEM, 0, "flush set", set);
	if (!nlh)
		return -ENOMEM;
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return nd_nft_txn_next(txn);
}
