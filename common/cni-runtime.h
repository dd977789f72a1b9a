/* SPDX-License-Identifier: MIT */
/* Runtime inputs: runtimeConfig capabilities, args.cni and CNI_ARGS merged into one struct. */
#ifndef ND_CNI_RUNTIME_H
#define ND_CNI_RUNTIME_H

#include "cni.h"

/* Fills ctx->rt from ctx->conf and ctx->cni_args; errors are CNI 4 (CNI_ARGS) or 7. */
int cni_runtime_load(struct cni_ctx *ctx);
void cni_runtime_clear(struct cni_runtime *rt);

/* True for "aa:bb:cc:dd:ee:ff" (hex, either case). */
bool nd_mac_valid(const char *s);
/* A DNS label: 1..63 of [A-Za-z0-9-], not starting or ending with -. */
bool nd_dns_label_valid(const char *s);

#endif
