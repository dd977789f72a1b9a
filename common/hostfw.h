/* SPDX-License-Identifier: MIT */
/*
 * netdock's traffic through host firewalls whose forward path drops by
 * default. Where the host's tool leaves a place for users (Docker's
 * DOCKER-USER, ufw's ufw-user-forward / ufw6-user-forward, in iptables-nft or
 * iptables-legacy; firewalld's zones over D-Bus), each bridge gets two
 * accept rules (or its firewalld zone): what leaves the bridge, and what
 * enters it on an established, related or published (DNAT) connection.
 * netdock's own table still drops what crosses networks or leaves an
 * internal one. Each rule carries the comment "netdock <bridge>".
 */
#ifndef ND_HOSTFW_H
#define ND_HOSTFW_H

#include <stddef.h>

/* What a call found besides its own work. */
struct nd_hostfw_report {
	char err[256]; /* why a change was refused (set when a call returns < 0) */
	/* A firewall netdock does not know that would drop forwarded traffic, or "". */
	char unknown[256];
};

/*
 * Makes every known host firewall pass this bridge's traffic, adding only
 * what is missing (one dump of the nftables chains, then the user chains'
 * rules where they exist). lock_dir (the run dir, or -1) holds .hostfw.lock
 * while anything changes, so parallel ADDs never add a rule twice. Returns 0
 * or -errno with rep->err filled; rep->unknown is filled either way.
 */
int nd_hostfw_ensure(const char *bridge, int lock_dir, struct nd_hostfw_report *rep);
/* Removes what nd_hostfw_ensure added for this bridge, wherever it still is. */
int nd_hostfw_release(const char *bridge, int lock_dir, struct nd_hostfw_report *rep);
/* CHECK: changes nothing; -ENOENT with rep->err naming a known firewall that lacks them. */
int nd_hostfw_verify(const char *bridge, struct nd_hostfw_report *rep);
/* Changes nothing: 1 when rep->unknown names a firewall that drops, 0 when none does, or -errno. */
int nd_hostfw_check(struct nd_hostfw_report *rep);

#endif
