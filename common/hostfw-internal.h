/* SPDX-License-Identifier: MIT */
/* The host firewall backends behind hostfw.h: iptables-nft, iptables-legacy, firewalld. */
#ifndef ND_HOSTFW_INTERNAL_H
#define ND_HOSTFW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hostfw.h"

/* The comment on every rule netdock adds: "netdock <bridge>". */
#define ND_HOSTFW_TAG_FMT "netdock %s"
/* Rules per bridge and user chain: out of the bridge, and into it (ctstate). */
#define ND_HOSTFW_RULES 2
/* conntrack states that may enter a bridge from elsewhere (iptables' spelling). */
#define ND_HOSTFW_CTSTATE "RELATED,ESTABLISHED,DNAT"

#define ND_HOSTFW_MAX_CHAINS 4

/*
 * True for a netdock tag whose bridge no longer exists in this netns: its
 * network went without GC (Podman deletes the bridge itself), so the next
 * ADD or GC on the host removes those rules.
 */
bool nd_hostfw_tag_stale(const char *comment);

/* The user chains of one family ("DOCKER-USER", "ufw-user-forward"), NULL-terminated. */
const char *const *nd_hostfw_user_chains(bool v6);

/* What one dump of every nftables chain of the netns says about host firewalls. */
struct nd_hostfw_scan {
	bool user_chain[2][ND_HOSTFW_MAX_CHAINS]; /* [v6][chain]: in iptables-nft's filter table */
	bool firewalld; /* table inet firewalld exists */
	char unknown[192]; /* a forward chain with policy drop netdock cannot add to, or "" */
};
int nd_hostfw_scan(struct nd_hostfw_scan *ret);

/* What a backend does for one bridge. */
enum nd_hostfw_mode {
	ND_HOSTFW_ENSURE, /* add what is missing */
	ND_HOSTFW_RELEASE, /* delete what is there */
	ND_HOSTFW_VERIFY, /* change nothing; -ENOENT naming what is missing */
};

/*
 * Each backend syncs one bridge as mode says. Returns 0 or -errno with
 * rep->err filled; a firewall it finds but cannot serve goes to rep->unknown.
 */
int nd_hostfw_xtnft_sync(const struct nd_hostfw_scan *scan, const char *bridge, int lock_dir,
			 enum nd_hostfw_mode mode, struct nd_hostfw_report *rep);
int nd_hostfw_legacy_sync(const char *bridge, int lock_dir, enum nd_hostfw_mode mode,
			  struct nd_hostfw_report *rep);
int nd_hostfw_firewalld_sync(const struct nd_hostfw_scan *scan, const char *bridge,
			     enum nd_hostfw_mode mode, struct nd_hostfw_report *rep);
/* Without a bridge: only what each backend would report as unknown. */
void nd_hostfw_legacy_check(struct nd_hostfw_report *rep);
void nd_hostfw_firewalld_check(const struct nd_hostfw_scan *scan, struct nd_hostfw_report *rep);

#endif
