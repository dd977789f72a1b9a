// SPDX-License-Identifier: MIT
/* libFuzzer target: a network's key ring is read from etcd, which any host can write. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nd_ipsec_ring ring;
	const char *field = NULL;
	cJSON *j = cJSON_ParseWithLength((const char *)data, size);

	if (nd_ipsec_ring_from_json(j, &ring, &field) == 0) {
		cJSON *back = nd_ipsec_ring_to_json(&ring);

		/* What parsed must print and parse again to the same ring. */
		struct nd_ipsec_ring again;

		if (!back || nd_ipsec_ring_from_json(back, &again, &field) < 0 ||
		    again.n != ring.n || again.primary != ring.primary ||
		    memcmp(again.keys, ring.keys, sizeof(ring.keys[0]) * ring.n))
			abort();
		nd_ipsec_ring_wipe(&again);
		nd_ipsec_ring_wipe(&ring);
		cJSON_Delete(back);
	}
	cJSON_Delete(j);
	return 0;
}
