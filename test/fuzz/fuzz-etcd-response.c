// SPDX-License-Identifier: MIT
/* libFuzzer target: the etcd gateway's answers and watch messages come over the network. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "etcd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *data, const struct nd_etcd_event *ev)
{
	size_t *n = data;

	*n += ev->kv.value_len + (ev->deleted ? 1 : 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct nd_etcd_kvs kvs = { 0 };
	int64_t id, ttl, rev = 0;
	size_t seen = 0;
	bool ok;
	char buf[64];

	if (nd_etcd_parse_range(text, size, &kvs) == 0)
		nd_etcd_kvs_clear(&kvs);
	if (nd_etcd_parse_txn(text, size, &ok, &kvs) == 0)
		nd_etcd_kvs_clear(&kvs);
	nd_etcd_parse_lease(text, size, &id, &ttl);
	nd_etcd_parse_error(text, size, buf, sizeof(buf));
	nd_etcd_parse_token(text, size, buf, sizeof(buf));
	nd_etcd_parse_watch(text, size, count, &seen, &rev);
	return 0;
}
