/* SPDX-License-Identifier: MIT */
/* Per-range allocation hint of the file store: a cursor and a bitmap of taken addresses. */
#ifndef IPAM_STORE_HINT_H
#define IPAM_STORE_HINT_H

#include "cleanup.h"
#include "ip.h"
#include "ipam.h"

struct ipam_hint;

/* Loads (or builds from the addr/ directory) the hint of range r. */
int ipam_hint_open(int dirfd, int addr_fd, const struct ipam_range *r, struct ipam_hint **ret);
void ipam_hint_free(struct ipam_hint *h);
ND_CLEANUP(struct ipam_hint *, ipam_hint_free)

/* The next address after the cursor that the hint believes free: 0, or -ENOSPC. */
int ipam_hint_next(struct ipam_hint *h, struct nd_addr *ret);
/* Records a as taken and moves the cursor past it. */
void ipam_hint_mark(struct ipam_hint *h, const struct nd_addr *a);
/* Writes the changed parts back (no fsync: a lost hint is rebuilt, a stale one repaired). */
int ipam_hint_save(struct ipam_hint *h);
/* Clears a in whichever range hint holds it. */
void ipam_hint_release(int dirfd, const struct nd_addr *a);

#endif
