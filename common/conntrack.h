/* SPDX-License-Identifier: MIT */
/* Dropping conntrack entries of a DNAT mapping, so a removed port stops answering at once. */
#ifndef ND_CONNTRACK_H
#define ND_CONNTRACK_H

#include <stdint.h>

#include "ip.h"

/*
 * Deletes the flows to host port `port` (proto "tcp"/"udp"/"sctp") that were
 * translated to `target`. Runs conntrack(8) from conntrack-tools; returns 0
 * also when nothing matched or the tool is missing (nothing to drop then).
 */
int nd_conntrack_forget(const char *proto, uint16_t port, const struct nd_addr *target);

#endif
