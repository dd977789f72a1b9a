// SPDX-License-Identifier: MIT
/* The bridge's host firewall steps (common/hostfw.h): ADD ensures, GC releases, CHECK verifies, STATUS judges. */
#include "bridge.h"

#include <errno.h>
#include <string.h>

#include "hostfw.h"
#include "log.h"

int bridge_hostfw_add(struct cni_ctx *ctx, const char *bridge, int run_fd)
{
	struct nd_hostfw_report rep;
	/* On every ADD: `ufw reload`, a firewalld reload or a flush by hand drops what was added. */
	int r = nd_hostfw_ensure(bridge, run_fd, &rep);

	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r, "host firewall rules for %s: %s", bridge,
			 strerror(-r));
		cni_fail_details(ctx, "%s", rep.err);
		return r;
	}
	if (rep.unknown[0])
		nd_warn("network %s: a host firewall netdock does not know drops forwarded "
			"traffic (%s); containers may lose connectivity",
			ctx->net_name, rep.unknown);
	return 0;
}

int bridge_hostfw_gc(struct cni_ctx *ctx, const char *bridge, int run_fd)
{
	struct nd_hostfw_report rep;
	int r = nd_hostfw_release(bridge, run_fd, &rep);

	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r, "removing host firewall rules for %s: %s", bridge,
			 strerror(-r));
		cni_fail_details(ctx, "%s", rep.err);
	}
	return r;
}

int bridge_hostfw_check(struct cni_ctx *ctx, const char *bridge)
{
	struct nd_hostfw_report rep;
	int r = nd_hostfw_verify(bridge, &rep);

	if (r == -ENOENT)
		return cni_fail(ctx, ND_ERR_CHECK, r, "host firewall: %s", rep.err);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_NFT, r, "host firewall: %s", rep.err);
	return 0;
}

int bridge_hostfw_status(struct cni_ctx *ctx)
{
	struct nd_hostfw_report rep;

	if (nd_hostfw_check(&rep) > 0)
		return cni_fail(ctx, CNI_ERR_LIMITED_CONNECTIVITY, -ENETUNREACH,
				"a host firewall drops forwarded traffic: %s", rep.unknown);
	return 0;
}
