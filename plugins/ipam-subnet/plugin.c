// SPDX-License-Identifier: MIT
/* ipam-subnet's verb table, shared by its binary and by the plugins that carry it. */
#include "ipam-verbs.h"

const struct cni_plugin ipam_subnet_plugin = {
	.name = "ipam-subnet",
	.add = ipam_add,
	.del = ipam_del,
	.check = ipam_check,
	.status = ipam_status,
	.gc = ipam_gc,
};
