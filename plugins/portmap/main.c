// SPDX-License-Identifier: MIT
/* portmap: published ports (docker run -p / -P) through nftables maps. */
#include "portmap.h"

int main(void)
{
	static const struct cni_plugin plugin = {
		.name = "portmap",
		.add = portmap_add,
		.del = portmap_del,
		.check = portmap_check,
		.gc = portmap_gc,
	};

	return cni_main(&plugin);
}
