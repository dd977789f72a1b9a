/* SPDX-License-Identifier: MIT */
/* The CNI verbs of ipam-subnet. */
#ifndef IPAM_VERBS_H
#define IPAM_VERBS_H

#include "cni.h"

int ipam_add(struct cni_ctx *ctx);
int ipam_del(struct cni_ctx *ctx);
int ipam_check(struct cni_ctx *ctx);
int ipam_gc(struct cni_ctx *ctx);
int ipam_status(struct cni_ctx *ctx);

/* The verb table: ipam-subnet's own binary runs it, and bridge carries it in-process. */
extern const struct cni_plugin ipam_subnet_plugin;

#endif
