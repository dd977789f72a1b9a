// SPDX-License-Identifier: MIT
/* bridge: Docker's bridge networks as a CNI interface plugin. */
#include "bridge.h"

int main(void)
{
	static const struct cni_plugin plugin = {
		.name = "bridge",
		.add = bridge_add,
		.del = bridge_del,
		.check = bridge_check,
		.status = bridge_status,
		.gc = bridge_gc,
	};

	return cni_main(&plugin);
}
