// SPDX-License-Identifier: MIT
/* Host firewalls: the known ones get a bridge's accept rules, unknown ones that drop are named. */
#include "hostfw.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "hostfw-internal.h"
#include "nft-dump.h"

const char *const *nd_hostfw_user_chains(bool v6)
{
	/* Docker's chain for its users, and the one ufw fills from `ufw route allow`. */
	static const char *const v4[] = { "DOCKER-USER", "ufw-user-forward", NULL };
	static const char *const v6c[] = { "DOCKER-USER", "ufw6-user-forward", NULL };

	return v6 ? v6c : v4;
}

bool nd_hostfw_tag_stale(const char *comment)
{
	const char *bridge = comment + strlen("netdock ");

	if (strncmp(comment, "netdock ", strlen("netdock ")) || !*bridge ||
	    strlen(bridge) >= IFNAMSIZ)
		return false;
	return if_nametoindex(bridge) == 0 && errno == ENODEV;
}

static const char *family_name(uint8_t family)
{
	switch (family) {
	case NFPROTO_IPV4:
		return "ip";
	case NFPROTO_IPV6:
		return "ip6";
	case NFPROTO_INET:
		return "inet";
	case NFPROTO_BRIDGE:
		return "bridge";
	default:
		return NULL;
	}
}

/* A forward base chain with policy drop, kept until the dump has shown every user chain. */
struct drop {
	uint8_t family;
	char what[160];
};

struct walk {
	struct nd_hostfw_scan *scan;
	struct drop drops[8];
	size_t n_drops;
};

static void user_chain_seen(struct nd_hostfw_scan *scan, const struct nd_nft_chain_info *c)
{
	bool v6 = c->family == NFPROTO_IPV6;
	const char *const *chains = nd_hostfw_user_chains(v6);

	if ((c->family != NFPROTO_IPV4 && !v6) || strcmp(c->table, "filter"))
		return;
	for (size_t i = 0; chains[i] && i < ND_HOSTFW_MAX_CHAINS; i++)
		if (!strcmp(c->name, chains[i]))
			scan->user_chain[v6][i] = true;
}

static int chain_seen(const struct nd_nft_chain_info *c, void *data)
{
	struct walk *w = data;
	const char *fam = family_name(c->family);

	user_chain_seen(w->scan, c);
	if (c->family == NFPROTO_INET && !strcmp(c->table, "firewalld"))
		w->scan->firewalld = true;
	if (!fam || !c->base || c->hook != NF_INET_FORWARD || c->policy != NF_DROP ||
	    w->n_drops == ND_ARRAY_SIZE(w->drops))
		return 0;
	w->drops[w->n_drops].family = c->family;
	snprintf(w->drops[w->n_drops++].what, sizeof(w->drops[0].what), "%s %s %s: policy drop",
		 fam, c->table, c->name);
	return 0;
}

/* iptables-nft's FORWARD is understood when its table has a user chain netdock adds to. */
static bool understood(const struct nd_hostfw_scan *scan, const struct drop *d)
{
	bool v6 = d->family == NFPROTO_IPV6;
	char want[64];

	if (d->family != NFPROTO_IPV4 && !v6)
		return false;
	snprintf(want, sizeof(want), "%s filter FORWARD:", v6 ? "ip6" : "ip");
	if (strncmp(d->what, want, strlen(want)))
		return false;
	for (size_t i = 0; i < ND_HOSTFW_MAX_CHAINS; i++)
		if (scan->user_chain[v6][i])
			return true;
	return false;
}

int nd_hostfw_scan(struct nd_hostfw_scan *ret)
{
	struct walk w = { .scan = ret };
	int r;

	memset(ret, 0, sizeof(*ret));
	r = nd_nft_chains_each(NFPROTO_UNSPEC, NULL, chain_seen, &w);
	if (r < 0)
		return r;
	for (size_t i = 0; i < w.n_drops && !ret->unknown[0]; i++)
		if (!understood(ret, &w.drops[i]))
			snprintf(ret->unknown, sizeof(ret->unknown), "%s", w.drops[i].what);
	return 0;
}

static int sync_all(const char *bridge, int lock_dir, enum nd_hostfw_mode mode,
		    struct nd_hostfw_report *rep)
{
	struct nd_hostfw_scan scan;
	int r = nd_hostfw_scan(&scan);

	rep->err[0] = rep->unknown[0] = '\0';
	if (r < 0) {
		snprintf(rep->err, sizeof(rep->err), "listing nftables chains: %s", strerror(-r));
		return r;
	}
	snprintf(rep->unknown, sizeof(rep->unknown), "%s", scan.unknown);
	r = nd_hostfw_xtnft_sync(&scan, bridge, lock_dir, mode, rep);
	if (r >= 0)
		r = nd_hostfw_legacy_sync(bridge, lock_dir, mode, rep);
	if (r >= 0)
		r = nd_hostfw_firewalld_sync(&scan, bridge, mode, rep);
	return r;
}

int nd_hostfw_ensure(const char *bridge, int lock_dir, struct nd_hostfw_report *rep)
{
	return sync_all(bridge, lock_dir, ND_HOSTFW_ENSURE, rep);
}

int nd_hostfw_release(const char *bridge, int lock_dir, struct nd_hostfw_report *rep)
{
	return sync_all(bridge, lock_dir, ND_HOSTFW_RELEASE, rep);
}

int nd_hostfw_verify(const char *bridge, struct nd_hostfw_report *rep)
{
	return sync_all(bridge, -1, ND_HOSTFW_VERIFY, rep);
}

int nd_hostfw_check(struct nd_hostfw_report *rep)
{
	struct nd_hostfw_scan scan;
	int r = nd_hostfw_scan(&scan);

	rep->err[0] = rep->unknown[0] = '\0';
	if (r < 0)
		return r;
	snprintf(rep->unknown, sizeof(rep->unknown), "%s", scan.unknown);
	if (!rep->unknown[0])
		nd_hostfw_firewalld_check(&scan, rep);
	if (!rep->unknown[0])
		nd_hostfw_legacy_check(rep);
	return rep->unknown[0] != '\0';
}
