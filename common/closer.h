/* SPDX-License-Identifier: MIT */
/*
 * Closing a socket off a plugin's critical path. Closing a netfilter socket
 * waits for the kernel to free the transactions of every pending nftables
 * commit in the netns (nf_tables flushes its destroy work on each socket
 * release: one RCU grace period, 10-20 ms on this project's machines), and
 * the runtime waits for the plugin's exit, which closes it at the latest. A
 * long-lived netdock-dnsd on the same run dir takes such sockets over an
 * abstract unix socket of this netns ("netdock-closer:<run dir>") and
 * closes them on a thread of its own; without one, the plugin closes them
 * itself, as before.
 */
#ifndef ND_CLOSER_H
#define ND_CLOSER_H

/*
 * Gives the closer of run_dir a reference to fd's file, so that this
 * process's own close of fd (the caller's, as before) returns at once: 0,
 * or a negative errno (none listening, queue full) and nothing changed.
 */
int nd_closer_hand_over(const char *run_dir, int fd);

/*
 * The receiving side (netdock-dnsd): binds the closer of run_dir and starts
 * the thread that closes what arrives. Returns 0, or -EADDRINUSE when
 * another daemon already serves run_dir, or another negative errno.
 */
int nd_closer_start(const char *run_dir);

#endif
