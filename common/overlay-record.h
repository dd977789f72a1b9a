/* SPDX-License-Identifier: MIT */
/*
 * overlay/<net>.json in the run dir: what the overlay plugin built for a
 * network on this host (VNI, VXLAN device, local VTEP), for
 * netdock-overlayd to read. No store credentials: the run dir is readable
 * by dnsd's unprivileged user. Written by the plugin, removed by GC.
 */
#ifndef ND_OVERLAY_RECORD_H
#define ND_OVERLAY_RECORD_H

#include <net/if.h>
#include <stdbool.h>

#include "cni.h"
#include "ip.h"

#define ND_VNI_MAX 16777215u

struct nd_overlay_record {
	char name[CNI_MAX_NAME];
	unsigned vni;
	char vxlan[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	struct nd_addr vtep; /* family 0: none (no store: one host) */
	unsigned port;
	char host[64]; /* this host's identity (nd_host_name) */
	bool encrypted; /* ESP between hosts (plugins/overlay/encrypt.c) */
};

char *nd_overlay_record_format(const struct nd_overlay_record *o);
/* From untrusted text; -EINVAL on wrong types or lengths. */
int nd_overlay_record_parse(const char *text, size_t len, struct nd_overlay_record *ret);

int nd_overlay_record_write(int run_dirfd, const struct nd_overlay_record *o);
int nd_overlay_record_read(int run_dirfd, const char *net, struct nd_overlay_record *ret);
int nd_overlay_record_remove(int run_dirfd, const char *net);

/*
 * This host's identity in the cluster: $NETDOCK_HOSTNAME, else the
 * hostname. Stable across restarts (the VXLAN MAC derives from it).
 */
void nd_host_name(char ret[64]);

#endif
