/* SPDX-License-Identifier: MIT */
/* The "store" object of overlay and ipam-subnet configs: where etcd is and how to log in. */
#ifndef ND_ETCD_CONF_H
#define ND_ETCD_CONF_H

#include <stdbool.h>

#include "cni.h"
#include "etcd.h"

/*
 * Parses store (the object at JSON path `path`) into ret: endpoints (list
 * of URLs, or host:port which gets http://, https:// with a cacert),
 * prefix (default /netdock), cacert, cert, key, username, password,
 * timeoutMs. Errors are CNI 7 naming the field. ret is cleared on error.
 */
int nd_etcd_conf_parse(struct cni_ctx *ctx, const cJSON *store, const char *path,
		       struct nd_etcd_conf *ret);

/* Finds the config's store: ipam.store, else the root's store. NULL when none. */
const cJSON *nd_etcd_conf_find(const cJSON *conf, const char **ret_path);

#endif
