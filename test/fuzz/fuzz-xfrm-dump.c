// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the kernel's XFRM dump answers (SAs, policies), read
 * before anything is removed, and its notifications (the same messages).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xfrm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_sa(void *data, const struct nd_xfrm_sa_info *sa)
{
	size_t *n = data;

	/* A key handed on lies inside the buffer: read all of it. */
	for (size_t i = 0; sa->sa.key && i < ND_XFRM_KEY_LEN; i++)
		*n += sa->sa.key[i];
	return 0;
}

static int on_policy(void *data, const struct nd_xfrm_policy_info *p)
{
	size_t *n = data;

	*n += p->p.reqid;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* recv() buffers are aligned; the parser may rely on 4 bytes of it, no more. */
	uint8_t *buf = malloc(size + 4);
	size_t sum = 0;
	struct nd_xfrm_dump d = { .sa = on_sa, .policy = on_policy, .data = &sum };

	if (!buf)
		return 0;
	memcpy(buf + 4, data, size);
	/* seq 77: the unit test's seed dump (test-xfrm --seed) answers that request. */
	nd_xfrm_dump_parse(buf + 4, size, 77, &d);
	nd_xfrm_monitor_news(buf + 4, size);
	free(buf);
	return 0;
}
