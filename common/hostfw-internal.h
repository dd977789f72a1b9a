/* SPDX-License-Identifier: MIT */
/* The host firewall backends behind hostfw.h: iptables-nft, iptables-legacy, firewalld. */
#ifndef ND_HOSTFW_INTERNAL_H
#define ND_HOSTFW_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The comment on every rule netdock adds: "netdock <bridge>". */
#define ND_HOSTFW_TAG_FMT "netdock %s"
/* Rules per bridge and user chain: out of the bridge, and into it (ctstate). */
#define ND_HOSTFW_RULES 2
/* conntrack states that may enter a bridge from elsewhere (iptables' spelling). */
#define ND_HOSTFW_CTSTATE "RELATED,ESTABLISHED,DNAT"

/* The user chains of one family ("DOCKER-USER", "ufw-user-forward"), NULL-terminated. */
const char *const *nd_hostfw_user_chains(bool v6);

/*
 * Each backend syncs one bridge: remove false adds what is missing, remove
 * true deletes what is there. Returns 0 or -errno with err filled.
 */
int nd_hostfw_xtnft_sync(const char *bridge, int lock_dir, bool remove, char *err, size_t size);
int nd_hostfw_legacy_sync(const char *bridge, int lock_dir, bool remove, char *err, size_t size);
int nd_hostfw_firewalld_sync(const char *bridge, bool remove, char *err, size_t size);

/* True when the iptables-nft table of this family has a user chain to add to. */
bool nd_hostfw_xtnft_understood(uint8_t family);
/* 1 with what filled when the legacy filter FORWARD drops and has no user chain. */
int nd_hostfw_legacy_unknown(char *what, size_t size);
/* 1 with what filled when firewalld's table is there but firewalld does not answer. */
int nd_hostfw_firewalld_unknown(char *what, size_t size);

#endif
