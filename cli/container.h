/* SPDX-License-Identifier: MIT */
/* CONTAINER arguments (named netns, netns path, PID) and libcni's result cache. */
#ifndef NETDOCK_CLI_CONTAINER_H
#define NETDOCK_CLI_CONTAINER_H

#include <net/if.h>

#include "cli.h"

struct container {
	char netns[PATH_MAX]; /* absolute path */
	char id[256]; /* cnitool's: "cnitool-" + 20 hex of SHA-512(netns path) */
	char name[256];
	bool exists; /* the netns path is there */
};

/* Resolves ref; -ENOENT when it names nothing (the netns is gone). */
int container_resolve(const char *ref, struct container *ret);

/* The libcni cache file of (net, id, ifname): <cache>/results/<net>-<id>-<ifname>. */
void cache_path(const struct cli *c, const char *net, const char *id, const char *ifname, char *buf,
		size_t size);
/* Writes libcni's cniCacheV1 record (mode 0600, directory 0700). */
int cache_write(const struct cli *c, const struct cli_net *net, const struct container *ct,
		const char *ifname, const char *cni_args, const cJSON *cap_args,
		const cJSON *result);
/* Reads a cniCacheV1 record; NULL when there is none. */
cJSON *cache_read(const struct cli *c, const char *net, const char *id, const char *ifname);
/* The first ethN that no network of this container uses (eth0, eth1, …). */
void cache_next_ifname(const struct cli *c, const char *id, char *ifname);

#endif
