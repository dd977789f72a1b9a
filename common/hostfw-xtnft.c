// SPDX-License-Identifier: MIT
/*
 * iptables-nft's user chains, written with libnftnl in the exact expressions
 * iptables-nft 1.8 emits for "-i B -m comment --comment C -j ACCEPT" and
 * "-o B -m conntrack --ctstate S -m comment --comment C -j ACCEPT" (seen with
 * nft --debug=netlink): meta + cmp for the interface, xtables matches through
 * nft_compat for conntrack and the comment, a counter, the verdict. Anything
 * else (a native ct expression, a udata comment) would make `iptables -S`
 * fail to print the chain for the user.
 */
#include "hostfw-internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
/* glibc's in.h before the kernel's netfilter headers (nft.h orders them). */
#include "nft.h"

#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "cleanup.h"
#include "lock.h"
#include "nft-dump.h"

#define XT_TABLE "filter"
#define MAX_FOUND 16

ND_CLEANUP(struct nftnl_expr_iter *, nftnl_expr_iter_destroy)

struct found {
	const char *tag;
	uint64_t handles[MAX_FOUND]; /* this bridge's rules */
	size_t n;
	uint64_t stale[MAX_FOUND]; /* rules of netdock bridges that no longer exist */
	size_t n_stale;
};

/* The comment of an xtables comment match, or NULL. */
static const char *comment_of(const struct nftnl_expr *e, char buf[XT_MAX_COMMENT_LEN])
{
	const struct xt_comment_info *c;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	uint32_t len = 0;

	if (!name || strcmp(name, "match"))
		return NULL;
	name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	if (!name || strcmp(name, "comment"))
		return NULL;
	c = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
	if (!c || len < sizeof(*c))
		return NULL;
	snprintf(buf, XT_MAX_COMMENT_LEN, "%.*s", (int)sizeof(c->comment),
		 (const char *)c->comment);
	return buf;
}

static void note(uint64_t *handles, size_t *n, uint64_t handle)
{
	if (*n < MAX_FOUND)
		handles[(*n)++] = handle;
}

static int collect(const struct nftnl_rule *rule, void *data)
{
	_cleanup_(nftnl_expr_iter_destroyp) struct nftnl_expr_iter *it =
		nftnl_expr_iter_create(rule);
	struct found *f = data;
	uint64_t handle = nftnl_rule_get_u64(rule, NFTNL_RULE_HANDLE);
	char buf[XT_MAX_COMMENT_LEN];

	if (!it)
		return -ENOMEM;
	for (struct nftnl_expr *e = nftnl_expr_iter_next(it); e; e = nftnl_expr_iter_next(it)) {
		const char *c = comment_of(e, buf);

		if (!c)
			continue;
		if (!strcmp(c, f->tag))
			note(f->handles, &f->n, handle);
		else if (nd_hostfw_tag_stale(c))
			note(f->stale, &f->n_stale, handle);
		break;
	}
	return 0;
}

/* One accept rule: out of the bridge (any state), or into it in the states that may enter. */
static int rule_add(struct nd_nft_txn *txn, const char *chain, const char *bridge, const char *tag,
		    bool into)
{
	struct nd_nft_rule *r = nd_nft_rule_begin(txn, chain);
	struct xt_comment_info comment = { .comment = "" };
	struct xt_conntrack_mtinfo3 ct = {
		.match_flags = XT_CONNTRACK_STATE,
		.state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
			      XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED) | XT_CONNTRACK_STATE_DNAT,
	};

	snprintf((char *)comment.comment, sizeof(comment.comment), "%s", tag);
	if (into) {
		nd_nft_match_oifname(r, bridge, NFT_CMP_EQ);
		nd_nft_xt_match(r, "conntrack", 3, &ct, sizeof(ct));
	} else {
		nd_nft_match_iifname(r, bridge, NFT_CMP_EQ);
	}
	nd_nft_xt_match(r, "comment", 0, &comment, sizeof(comment));
	nd_nft_counter(r);
	nd_nft_verdict(r, NF_ACCEPT, NULL);
	/* At the head: DOCKER-USER ends in RETURN, and ufw appends its own rules. */
	return nd_nft_rule_end_first(txn, r);
}

/* Replaces whatever netdock rules of this bridge the chain holds by the exact pair (or none). */
static int chain_rewrite(uint8_t family, const char *chain, const char *bridge,
			 const struct found *f, enum nd_hostfw_mode mode, char *err, size_t size)
{
	_cleanup_(nd_nft_txn_freep) struct nd_nft_txn *txn = NULL;
	int r = nd_nft_txn_new_in(family, XT_TABLE, &txn);

	for (size_t i = 0; r >= 0 && i < f->n; i++)
		r = nd_nft_rule_delete(txn, chain, f->handles[i]);
	for (size_t i = 0; r >= 0 && i < f->n_stale; i++)
		r = nd_nft_rule_delete(txn, chain, f->stale[i]);
	if (r >= 0 && mode == ND_HOSTFW_ENSURE)
		r = rule_add(txn, chain, bridge, f->tag, true);
	if (r >= 0 && mode == ND_HOSTFW_ENSURE)
		r = rule_add(txn, chain, bridge, f->tag, false);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, size);
	else
		snprintf(err, size, "%s", strerror(-r));
	return r;
}

/* Returns 1 when the chain is not as wanted (or holds a gone bridge's rules), 0 when it is. */
static int chain_state(uint8_t family, const char *chain, struct found *f, enum nd_hostfw_mode mode)
{
	int r;

	f->n = f->n_stale = 0;
	r = nd_nft_rules_each(family, XT_TABLE, chain, collect, f);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	if (f->n_stale && mode != ND_HOSTFW_VERIFY)
		return 1;
	return mode == ND_HOSTFW_RELEASE ? f->n > 0 : f->n != ND_HOSTFW_RULES;
}

static int chain_sync(uint8_t family, const char *chain, const char *bridge, int lock_dir,
		      enum nd_hostfw_mode mode, char *err, size_t size)
{
	_cleanup_(closep) int lock = -1;
	char tag[64];
	struct found f = { .tag = tag };
	int r;

	snprintf(tag, sizeof(tag), ND_HOSTFW_TAG_FMT, bridge);
	r = chain_state(family, chain, &f, mode);
	if (r <= 0)
		return r;
	if (mode == ND_HOSTFW_VERIFY) {
		snprintf(err, size, "%s filter %s holds %zu of netdock's %d rules for %s",
			 family == NFPROTO_IPV6 ? "ip6" : "ip", chain, f.n, ND_HOSTFW_RULES,
			 bridge);
		return -ENOENT;
	}
	/* Something to change: again under the lock, which a parallel ADD may have held. */
	lock = lock_dir >= 0 ? nd_lock_take(lock_dir, ".hostfw.lock") : -1;
	r = chain_state(family, chain, &f, mode);
	if (r <= 0)
		return r;
	r = chain_rewrite(family, chain, bridge, &f, mode, err, size);
	if (r < 0) {
		char what[160];

		snprintf(what, sizeof(what), "%s", err);
		snprintf(err, size, "%s filter %s: %s", family == NFPROTO_IPV6 ? "ip6" : "ip",
			 chain, what);
	}
	return r;
}

int nd_hostfw_xtnft_sync(const struct nd_hostfw_scan *scan, const char *bridge, int lock_dir,
			 enum nd_hostfw_mode mode, struct nd_hostfw_report *rep)
{
	int r = 0;

	for (int v6 = 0; r >= 0 && v6 < 2; v6++) {
		const char *const *chains = nd_hostfw_user_chains(v6);

		for (size_t c = 0; r >= 0 && chains[c]; c++)
			if (scan->user_chain[v6][c])
				r = chain_sync(v6 ? NFPROTO_IPV6 : NFPROTO_IPV4, chains[c], bridge,
					       lock_dir, mode, rep->err, sizeof(rep->err));
	}
	return r;
}
