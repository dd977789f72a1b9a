/* SPDX-License-Identifier: MIT */
/* A conflist's plugins run in order (ADD, GC) or backwards (DEL), as libcni runs them. */
#ifndef NETDOCK_CLI_CHAIN_H
#define NETDOCK_CLI_CHAIN_H

#include "cli.h"

struct chain_call {
	const char *verb; /* "ADD", "DEL", "GC" */
	const char *container_id, *netns, *ifname; /* NULL for GC */
	const char *cni_args; /* CNI_ARGS, or NULL */
	const cJSON *cap_args; /* capability arguments, filtered per plugin */
	const cJSON *prev_result; /* DEL: the cached result, or NULL */
	bool gc_empty; /* GC: cni.dev/valid-attachments is [] */
	bool skip_missing; /* GC: a plugin not on CNI_PATH is skipped (its IPAM runs instead) */
};

/*
 * Runs every plugin of net. ADD returns the last result in *ret_result
 * (caller frees) and, on a failure, DELs what ran. On a plugin's error,
 * err holds its msg (and details). Returns 0 or a negative errno.
 */
int chain_run(const struct cli *c, const struct cli_net *net, const struct chain_call *call,
	      cJSON **ret_result, char *err, size_t errlen);

#endif
