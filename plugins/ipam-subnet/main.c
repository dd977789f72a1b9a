// SPDX-License-Identifier: MIT
/* ipam-subnet: Docker's IPAM (subnets, gateways, ip ranges, aux addresses, static IPs) for CNI. */
#include "ipam-verbs.h"

int main(void)
{
	return cni_main(&ipam_subnet_plugin);
}
