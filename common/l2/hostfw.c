// SPDX-License-Identifier: MIT
/* The bridge's steps for host firewalls (common/hostfw.h): ensured on ADD, released on GC, checked by STATUS. */
#include "bridge.h"

#include <errno.h>
#include <string.h>

#include "hostfw.h"
#include "log.h"

int bridge_hostfw_add(struct cni_ctx *ctx, const char *bridge, int run_fd)
{
	char err[256] = "", what[256];
	/* On every ADD: a restarted dockerd or `ufw reload` flushes the user chains. */
	int r = nd_hostfw_ensure(bridge, run_fd, err, sizeof(err));

	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r, "host firewall rules for %s: %s", bridge,
			 strerror(-r));
		cni_fail_details(ctx, "%s", err);
		return r;
	}
	if (nd_hostfw_unknown(what, sizeof(what)) > 0)
		nd_warn("network %s: a host firewall netdock does not know drops forwarded "
			"traffic (%s); containers may lose connectivity",
			ctx->net_name, what);
	return 0;
}

int bridge_hostfw_gc(struct cni_ctx *ctx, const char *bridge, int run_fd)
{
	char err[256] = "";
	int r = nd_hostfw_release(bridge, run_fd, err, sizeof(err));

	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r, "removing host firewall rules for %s: %s", bridge,
			 strerror(-r));
		cni_fail_details(ctx, "%s", err);
	}
	return r;
}

int bridge_hostfw_status(struct cni_ctx *ctx)
{
	char what[256];
	int r = nd_hostfw_unknown(what, sizeof(what));

	if (r > 0)
		return cni_fail(ctx, CNI_ERR_LIMITED_CONNECTIVITY, -ENETUNREACH,
				"a host firewall drops forwarded traffic: %s", what);
	return 0;
}
