// SPDX-License-Identifier: MIT
/* loopback: lo up in the container, the plugin every CRI runtime runs next to the network. */
#include "loopback.h"

int main(void)
{
	static const struct cni_plugin plugin = {
		.name = "loopback",
		.add = loopback_add,
		.del = loopback_del,
		.check = loopback_check,
	};

	return cni_main(&plugin);
}
