// SPDX-License-Identifier: MIT
/* bridge: Docker's bridge networks as a CNI interface plugin. */
#include "l2/bridge.h"
#include "plugins/ipam-subnet/ipam-verbs.h"

int main(void)
{
	/* ipam.type "ipam-subnet" runs in-process; any other IPAM is exec'd from CNI_PATH. */
	static const struct cni_plugin *const carried[] = { &ipam_subnet_plugin, NULL };
	static const struct cni_plugin plugin = {
		.name = "bridge",
		.add = bridge_add,
		.del = bridge_del,
		.check = bridge_check,
		.status = bridge_status,
		.gc = bridge_gc,
		.carried = carried,
	};

	return cni_main(&plugin);
}
