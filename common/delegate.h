/* SPDX-License-Identifier: MIT */
/* Running another CNI plugin (the IPAM delegate) found on CNI_PATH. */
#ifndef ND_DELEGATE_H
#define ND_DELEGATE_H

#include "cni.h"

/*
 * Runs plugin `type` from CNI_PATH with this process's environment,
 * CNI_COMMAND set to verb and ctx->stdin_buf on its stdin; its stderr passes
 * through. For ADD, parses its result into ret (may be NULL otherwise).
 * A failing delegate's error object is recorded in ctx with the delegate's
 * own code and message. Returns 0 or a negative errno.
 *
 * A plugin listed in ctx->plugin->carried runs in-process instead, on the
 * same config and environment, with the same result and error object: the
 * exec of a second binary was a fifth of a bridge ADD here (~1 ms).
 */
int nd_delegate(struct cni_ctx *ctx, const char *type, enum cni_verb verb, struct cni_result *ret);

/* True when a delegation to type runs in-process (ctx->plugin->carried lists it). */
bool nd_delegate_carries(const struct cni_ctx *ctx, const char *type);
/* Verb name as CNI_COMMAND spells it. */
const char *cni_verb_name(enum cni_verb verb);

#endif
