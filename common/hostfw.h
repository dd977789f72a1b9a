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

/*
 * Makes every known host firewall pass this bridge's traffic, adding only
 * what is missing (a dump of the user chains when nothing is). lock_dir (the
 * run dir, or -1) holds .hostfw.lock while anything changes, so parallel
 * ADDs never add a rule twice. Returns 0 or -errno, with err filled.
 */
int nd_hostfw_ensure(const char *bridge, int lock_dir, char *err, size_t size);
/* Removes what nd_hostfw_ensure added for this bridge, wherever it still is. */
int nd_hostfw_release(const char *bridge, int lock_dir, char *err, size_t size);
/*
 * 1 when a firewall netdock does not know would drop forwarded traffic
 * (what names the chain and its policy), 0 when none does, or -errno.
 */
int nd_hostfw_unknown(char *what, size_t size);

#endif
