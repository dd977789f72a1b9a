/* SPDX-License-Identifier: MIT */
/* Advisory file locks that die with the process (flock), so a killed plugin never wedges a network. */
#ifndef ND_LOCK_H
#define ND_LOCK_H

/*
 * Opens (creating) dirfd/name and takes an exclusive flock, waiting for it.
 * Returns the fd (close it, or let closep do it, to release) or -errno.
 */
int nd_lock_take(int dirfd, const char *name);

#endif
