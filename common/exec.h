/* SPDX-License-Identifier: MIT */
/* Running a host tool (iptables-legacy, dbus-send) and reading what it prints. */
#ifndef ND_EXEC_H
#define ND_EXEC_H

#include <stddef.h>

/*
 * Runs argv[0] (looked up on PATH, then in /usr/sbin and /sbin) with stdin
 * from /dev/null; its stdout goes to *ret_out (NUL-terminated, malloc'd, at
 * most ND_EXEC_OUT_MAX bytes kept; may be NULL to discard) and its stderr to
 * *ret_err likewise. Returns the exit status (0..255), or -errno when the
 * tool could not be run or was killed.
 */
#define ND_EXEC_OUT_MAX (1u << 20)
int nd_exec(const char *const argv[], char **ret_out, char **ret_err);

#endif
