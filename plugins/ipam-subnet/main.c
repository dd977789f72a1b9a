// SPDX-License-Identifier: MIT
/* ipam-subnet: Docker's IPAM (subnets, gateways, ip ranges, aux addresses, static IPs) for CNI. */
#include "cni.h"
#include "ipam-verbs.h"

int main(void)
{
	static const struct cni_plugin plugin = {
		.name = "ipam-subnet",
		.add = ipam_add,
		.del = ipam_del,
		.check = ipam_check,
		.status = ipam_status,
		.gc = ipam_gc,
	};

	return cni_main(&plugin);
}
