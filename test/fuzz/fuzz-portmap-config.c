// SPDX-License-Identifier: MIT
/* libFuzzer target: portmap's config and the resolution of its portMappings into entries. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cni.h"
#include "plugins/portmap/portmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_ctx *ctx = calloc(1, sizeof(*ctx));
	struct portmap_entry *e = NULL;
	struct portmap_conf c;

	if (!ctx)
		abort();
	setenv("CNI_CONTAINERID", "c1", 1);
	setenv("CNI_IFNAME", "eth0", 1);
	setenv("CNI_NETNS", "/proc/self/ns/net", 1);
	setenv("CNI_PATH", "/nonexistent", 1);
	setenv("NETDOCK_RUN_DIR", "/nonexistent", 1);
	ctx->verb = CNI_ADD;
	/* Stops short of the ledger and nftables: only what stdin alone decides. */
	if (cni_ctx_load(ctx, (const char *)data, size) == 0 && portmap_conf_parse(ctx, &c) == 0 &&
	    portmap_entries(ctx, &c, &e) >= 0)
		free(e);
	cni_ctx_done(ctx);
	free(ctx);
	return 0;
}
