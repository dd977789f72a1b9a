/* SPDX-License-Identifier: MIT */
/* Dropping conntrack entries of DNAT mappings, so a removed port stops answering at once. */
#ifndef ND_CONNTRACK_H
#define ND_CONNTRACK_H

#include <stddef.h>
#include <stdint.h>

#include "ip.h"

/* Flows to host port `port` of protocol `proto` (IPPROTO_*) that were translated to `target`. */
struct nd_ct_flow {
	uint8_t proto;
	uint16_t port;
	struct nd_addr target;
};

/*
 * Deletes every conntrack entry matching one of f[0..n) (original destination
 * port and protocol, reply source address), over nfnetlink_conntrack: one
 * dump per address family, then one delete per entry. Returns the number
 * deleted, 0 when conntrack is not loaded, or -errno. run_dir (may be
 * NULL): whose closer takes the socket's closing wait (closer.h).
 */
int nd_conntrack_forget(const struct nd_ct_flow *f, size_t n, const char *run_dir);

#endif
