/* SPDX-License-Identifier: MIT */
/* netdock network create: its arguments and the pieces of the conflist they become. */
#ifndef NETDOCK_CLI_CREATE_H
#define NETDOCK_CLI_CREATE_H

#include "cli.h"

struct create_args {
	const char *driver;
	struct nd_strv subnets, gateways, ranges, aux;
	struct nd_strv opts; /* "key=value" as given */
	struct nd_strv labels; /* "key=value" or "key" */
	bool internal, ipv6, attachable;
};

struct create_ipam_info {
	size_t n_v4, n_v6;
};

/* create-ipam.c: fills items with {subnet, gateway, ipRange, auxAddresses}; prints Docker's errors. */
int create_ipam(const struct create_args *a, cJSON *items, struct create_ipam_info *info);

/*
 * create-opts.c: -o options as Docker validates them, into the driver
 * plugin's keys (options map, overlay's vni/vtep/port/mtu/store). Returns 0
 * or CLI_EXIT_FAIL after printing the error.
 */
int create_driver_opts(const struct create_args *a, cJSON *plugin, cJSON *options);

#endif
