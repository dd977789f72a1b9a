// SPDX-License-Identifier: MIT
/* Host firewalls: the known ones get a bridge's accept rules, unknown ones that drop are named. */
#include "hostfw.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostfw-internal.h"
#include "nft-dump.h"

const char *const *nd_hostfw_user_chains(bool v6)
{
	/* Docker's chain for its users, and the one ufw fills from `ufw route allow`. */
	static const char *const v4[] = { "DOCKER-USER", "ufw-user-forward", NULL };
	static const char *const v6c[] = { "DOCKER-USER", "ufw6-user-forward", NULL };

	return v6 ? v6c : v4;
}

static int sync_all(const char *bridge, int lock_dir, bool remove, char *err, size_t size)
{
	int r = nd_hostfw_xtnft_sync(bridge, lock_dir, remove, err, size);

	if (r >= 0)
		r = nd_hostfw_legacy_sync(bridge, lock_dir, remove, err, size);
	if (r >= 0)
		r = nd_hostfw_firewalld_sync(bridge, remove, err, size);
	return r;
}

int nd_hostfw_ensure(const char *bridge, int lock_dir, char *err, size_t size)
{
	return sync_all(bridge, lock_dir, false, err, size);
}

int nd_hostfw_release(const char *bridge, int lock_dir, char *err, size_t size)
{
	return sync_all(bridge, lock_dir, true, err, size);
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

struct scan {
	char *what;
	size_t size;
	int found;
};

/* A base chain on the forward hook whose policy drops, in a table netdock cannot add to. */
static int forward_drop(const struct nd_nft_chain_info *c, void *data)
{
	struct scan *s = data;
	const char *fam = family_name(c->family);

	if (s->found || !fam || !c->base || c->hook != NF_INET_FORWARD || c->policy != NF_DROP)
		return 0;
	if ((c->family == NFPROTO_IPV4 || c->family == NFPROTO_IPV6) &&
	    !strcmp(c->table, "filter") && nd_hostfw_xtnft_understood(c->family))
		return 0;
	snprintf(s->what, s->size, "%s %s %s: policy drop", fam, c->table, c->name);
	s->found = 1;
	return 0;
}

int nd_hostfw_unknown(char *what, size_t size)
{
	struct scan s = { .what = what, .size = size };
	int r = nd_nft_chains_each(NFPROTO_UNSPEC, NULL, forward_drop, &s);

	if (r < 0)
		return r;
	if (s.found)
		return 1;
	r = nd_hostfw_firewalld_unknown(what, size);
	return r ? r : nd_hostfw_legacy_unknown(what, size);
}
