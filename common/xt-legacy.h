/* SPDX-License-Identifier: MIT */
/* A read-only view of the legacy iptables filter table of this netns, without exec. */
#ifndef ND_XT_LEGACY_H
#define ND_XT_LEGACY_H

#include <stdbool.h>
#include <stddef.h>

#define ND_XT_MAX_CHAINS 4

#define ND_XT_MAX_OTHERS 8

struct nd_xt_legacy_view {
	bool forward_drop; /* FORWARD's policy is DROP */
	bool has_chain[ND_XT_MAX_CHAINS]; /* per name in chains */
	size_t ours[ND_XT_MAX_CHAINS]; /* rules there whose comment equals tag */
	/* Other comments there that start with prefix (the first ND_XT_MAX_OTHERS). */
	struct {
		size_t chain;
		char comment[64];
	} others[ND_XT_MAX_OTHERS];
	size_t n_others;
};

/*
 * Reads the filter table of family v6/v4 (the caller made sure it exists:
 * asking would create it). chains is NULL-terminated, at most
 * ND_XT_MAX_CHAINS names; prefix may be NULL. Returns 0 or -errno.
 */
int nd_xt_legacy_read(bool v6, const char *const *chains, const char *tag, const char *prefix,
		      struct nd_xt_legacy_view *ret);

#endif
