// SPDX-License-Identifier: MIT
/* Read-only nftables queries on any family's tables: chains and their policies, a chain's rules. */
#include "nft-dump.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>

#include "cleanup.h"

ND_CLEANUP(struct nftnl_chain *, nftnl_chain_free)
ND_CLEANUP(struct mnl_socket *, mnl_socket_close)

/* One request, its answers through cb until the dump ends; -ENOENT when the object is not there. */
static int query(struct nlmsghdr *nlh, uint32_t seq, mnl_cb_t cb, void *data)
{
	_cleanup_(mnl_socket_closep) struct mnl_socket *nl =
		mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	uint32_t portid;
	int r;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	portid = mnl_socket_get_portid(nl);
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return errno == EINTR ? 0 : -errno;
		r = mnl_cb_run(buf, (size_t)n, seq, portid, cb, data);
		if (r < 0)
			return errno == ENOENT ? -ENOENT : -errno;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static void chain_info(const struct nftnl_chain *c, struct nd_nft_chain_info *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->family = (uint8_t)nftnl_chain_get_u32(c, NFTNL_CHAIN_FAMILY);
	snprintf(ret->table, sizeof(ret->table), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_TABLE));
	snprintf(ret->name, sizeof(ret->name), "%s", nftnl_chain_get_str(c, NFTNL_CHAIN_NAME));
	ret->base = nftnl_chain_is_set(c, NFTNL_CHAIN_HOOKNUM);
	if (!ret->base)
		return;
	ret->hook = nftnl_chain_get_u32(c, NFTNL_CHAIN_HOOKNUM);
	ret->priority = nftnl_chain_get_s32(c, NFTNL_CHAIN_PRIO);
	ret->policy = nftnl_chain_is_set(c, NFTNL_CHAIN_POLICY) ?
			      nftnl_chain_get_u32(c, NFTNL_CHAIN_POLICY) :
			      NF_ACCEPT;
}

struct chains_walk {
	int (*cb)(const struct nd_nft_chain_info *, void *);
	void *data;
	int r;
};

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	struct chains_walk *w = data;
	struct nd_nft_chain_info info;

	if (!c || nftnl_chain_nlmsg_parse(nlh, c) < 0)
		return MNL_CB_OK;
	chain_info(c, &info);
	if (w->r >= 0)
		w->r = w->cb(&info, w->data);
	return MNL_CB_OK;
}

int nd_nft_chains_each(uint8_t family, const char *table,
		       int (*cb)(const struct nd_nft_chain_info *, void *), void *data)
{
	_cleanup_(nftnl_chain_freep) struct nftnl_chain *c = nftnl_chain_alloc();
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL);
	struct chains_walk w = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	int r;

	if (!c)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, family, NLM_F_DUMP, seq);
	if (table) {
		nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
		nftnl_chain_nlmsg_build_payload(nlh, c);
	}
	r = query(nlh, seq, chain_cb, &w);
	if (r == -ENOENT)
		return 0;
	return r < 0 ? r : w.r;
}

struct rules_walk {
	int (*cb)(const struct nftnl_rule *, void *);
	void *data;
	int r;
};

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_rule *rule = nftnl_rule_alloc();
	struct rules_walk *w = data;

	if (!rule)
		return MNL_CB_OK;
	if (nftnl_rule_nlmsg_parse(nlh, rule) >= 0 && w->r >= 0)
		w->r = w->cb(rule, w->data);
	nftnl_rule_free(rule);
	return MNL_CB_OK;
}

int nd_nft_rules_each(uint8_t family, const char *table, const char *chain,
		      int (*cb)(const struct nftnl_rule *, void *), void *data)
{
	struct nftnl_rule *rule = nftnl_rule_alloc();
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL);
	struct rules_walk w = { .cb = cb, .data = data };
	struct nlmsghdr *nlh;
	int r;

	if (!rule)
		return -ENOMEM;
	nftnl_rule_set_str(rule, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(rule, NFTNL_RULE_CHAIN, chain);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, family, NLM_F_DUMP, seq);
	nftnl_rule_nlmsg_build_payload(nlh, rule);
	nftnl_rule_free(rule);
	r = query(nlh, seq, rule_cb, &w);
	return r < 0 ? r : w.r;
}
