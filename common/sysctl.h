/* SPDX-License-Identifier: MIT */
/*
 * Sysctl writes through a procfs instance of our own.
 *
 * /proc/sys/net resolves per network namespace, and every netns that ever
 * looked it up leaves a "net" dentry in the same hash chain of the shared
 * /proc: the first lookup from a new container's netns walks past one entry
 * per container on the host (0.3-0.6 ms at 500 here). A procfs mounted by this
 * process (fsopen/fsmount, Linux 5.8+ gives each mount its own superblock) has
 * its own dentries, so a lookup meets at most the namespaces this process
 * visited. Where mounting is not allowed (rootless runtimes), /proc serves.
 */
#ifndef ND_SYSCTL_H
#define ND_SYSCTL_H

/* Returns a directory fd of a private procfs, or of /proc; -errno if neither opens. */
int nd_sysctl_open(void);
/*
 * Writes value to path below sys/ of proc ("net/ipv4/ip_forward"), in the
 * calling thread's netns at the time of the call.
 *
 * With lock_dir >= 0, holds an flock on lock_dir/.sysctl.lock meanwhile.
 * The forwarding and disable_ipv6 handlers take the rtnl lock with a trylock
 * and, failing, restart the write at once: concurrent plugins spin on the
 * CPUs the lock's holder needs (16 parallel bridge ADDs here: 24,000
 * restarted writes). Behind the flock they wait asleep, one spinning.
 */
int nd_sysctl_write(int proc, int lock_dir, const char *path, const char *value);

#endif
