/* SPDX-License-Identifier: MIT */
/* The loopback plugin's verbs. */
#ifndef LOOPBACK_H
#define LOOPBACK_H

#include "cni.h"

/* Sets lo up in CNI_NETNS and reports it with 127.0.0.1/8 and ::1/128. */
int loopback_add(struct cni_ctx *ctx);
/* Nothing to undo: lo goes with the namespace. Always 0. */
int loopback_del(struct cni_ctx *ctx);
/* Code 108 unless lo is up in CNI_NETNS. */
int loopback_check(struct cni_ctx *ctx);

#endif
