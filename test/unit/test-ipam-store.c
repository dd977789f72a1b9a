// SPDX-License-Identifier: MIT
/* The file lease store at scale: 60,000 leases in a /16, each once, then reuse. */
#include "plugins/ipam-subnet/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugins/ipam-subnet/ipam.h"
#include "tap.h"

static int no_intent(void *data, const struct nd_addr *candidate)
{
	return 0;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int main(void)
{
	struct tap t = { 0 };
	char dir[] = "/tmp/nd-store-XXXXXX", cid[32], cmd[64];
	struct ipam_range r = { .path = "unit" };
	static uint8_t seen[65536];
	struct ipam_store *s = NULL;
	struct nd_addr a;
	uint64_t first = 0, last = 0, t0 = now_us();
	int dup = 0, outside = 0, e = 0;

	if (!mkdtemp(dir))
		return 1;
	nd_prefix_parse("10.77.0.0/16", &r.subnet);
	r.first = r.subnet.addr;
	r.last = nd_prefix_last(&r.subnet);
	nd_addr_parse("10.77.0.1", &r.gateway);
	TAP_OK(&t, ipam_store_open(dir, "big", &s) == 0, "store opens");
	for (int i = 0; i < 60000 && e == 0; i++) {
		snprintf(cid, sizeof(cid), "c%d", i);
		e = ipam_store_allocate(s, &r, cid, "eth0", no_intent, NULL, &a);
		if (!nd_prefix_contains(&r.subnet, &a) || ipam_range_excluded(&r, &a))
			outside++;
		dup += seen[a.bytes[2] << 8 | a.bytes[3]]++ > 0;
		if (i == 999)
			first = now_us() - t0;
		if (i == 58999)
			t0 = now_us();
	}
	last = now_us() - t0;
	TAP_OK(&t, e == 0, "60,000 leases allocated (%d)", e);
	TAP_OK(&t, dup == 0 && outside == 0,
	       "each address once, inside the subnet, never reserved");
	printf("# first 1,000: %llu us, last 1,000: %llu us (information, not asserted)\n",
	       (unsigned long long)first, (unsigned long long)last);
	nd_addr_parse("10.77.100.100", &a);
	TAP_OK(&t, ipam_store_release(s, &a, "c25698", "eth0") == 0,
	       "a lease in the middle released");
	TAP_OK(&t, ipam_store_allocate(s, &r, "again", "eth0", no_intent, NULL, &a) == 0,
	       "allocation finds it");
	TAP_OK(&t, a.bytes[2] == 100 && a.bytes[3] == 100,
	       "the freed address is the one handed out");
	for (int i = 60000; i < 65533 && e == 0; i++) {
		snprintf(cid, sizeof(cid), "c%d", i);
		e = ipam_store_allocate(s, &r, cid, "eth0", no_intent, NULL, &a);
	}
	TAP_OK(&t, e == 0, "the /16 fills to its last address");
	TAP_OK(&t, ipam_store_allocate(s, &r, "one-more", "eth0", no_intent, NULL, &a) == -ENOSPC,
	       "then reports ENOSPC");
	ipam_store_close(s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	TAP_OK(&t, system(cmd) == 0, "cleanup");
	return tap_done(&t);
}
