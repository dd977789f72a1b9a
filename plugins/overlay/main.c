// SPDX-License-Identifier: MIT
/* overlay: Docker's overlay networks (VXLAN across hosts on etcd) as a CNI interface plugin. */
#include "overlay.h"
#include "plugins/ipam-subnet/ipam-verbs.h"

int main(void)
{
	/* ipam.type "ipam-subnet" runs in-process, as in bridge. */
	static const struct cni_plugin *const carried[] = { &ipam_subnet_plugin, NULL };
	static const struct cni_plugin plugin = {
		.name = "overlay",
		.add = overlay_add,
		.del = overlay_del,
		.check = overlay_check,
		.status = overlay_status,
		.gc = overlay_gc,
		.carried = carried,
	};

	return cni_main(&plugin);
}
