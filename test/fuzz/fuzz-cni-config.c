// SPDX-License-Identifier: MIT
/* libFuzzer target: the network configuration every plugin reads from stdin. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "l2/bridge.h"
#include "plugins/ipam-subnet/ipam.h"
#include "plugins/portmap/portmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cni_ctx *ctx = calloc(1, sizeof(*ctx));
	struct ipam_conf *ipam = calloc(1, sizeof(*ipam));
	struct bridge_conf bridge;
	struct portmap_conf pm;

	if (!ctx || !ipam)
		abort();
	setenv("CNI_CONTAINERID", "c1", 1);
	setenv("CNI_IFNAME", "eth0", 1);
	setenv("CNI_NETNS", "/proc/self/ns/net", 1);
	setenv("CNI_PATH", "/nonexistent", 1);
	setenv("NETDOCK_RUN_DIR", "/nonexistent", 1);
	ctx->verb = CNI_ADD;
	if (cni_ctx_load(ctx, (const char *)data, size) == 0) {
		/* Every plugin's parser sees the same bytes; none may crash or leak. */
		ctx->err_code = 0;
		ipam_conf_parse(ctx, ipam);
		ctx->err_code = 0;
		if (bridge_conf_parse(ctx, &bridge) == 0)
			bridge_conf_clear(&bridge);
		ctx->err_code = 0;
		portmap_conf_parse(ctx, &pm);
	}
	cni_ctx_done(ctx);
	free(ipam);
	free(ctx);
	return 0;
}
