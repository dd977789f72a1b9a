// SPDX-License-Identifier: MIT
/* Address parsing, printing and arithmetic. */
#include "ip.h"

#include <sys/socket.h>

#include "tap.h"

static const char *prefix_str(const char *in, char *buf)
{
	struct nd_prefix p;

	if (nd_prefix_parse(in, &p) < 0)
		return "error";
	return nd_prefix_to_str(&p, buf);
}

int main(void)
{
	struct tap t = { 0 };
	char buf[ND_PREFIX_STRLEN];
	struct nd_prefix p, q;
	struct nd_addr a, b;

	TAP_STR_EQ(&t, prefix_str("172.25.0.0/16", buf), "172.25.0.0/16", "v4 prefix round trip");
	TAP_STR_EQ(&t, prefix_str("fd00:0::1/64", buf), "fd00::1/64", "v6 prefix canonical form");
	TAP_STR_EQ(&t, prefix_str("10.0.0.0/33", buf), "error", "v4 length over 32 refused");
	TAP_STR_EQ(&t, prefix_str("10.0.0.0/", buf), "error", "empty length refused");
	TAP_STR_EQ(&t, prefix_str("10.0.0.0/+8", buf), "error", "signed length refused");
	TAP_STR_EQ(&t, prefix_str("10.0.0/8", buf), "error", "short address refused");
	TAP_OK(&t, nd_addr_parse("1.2.3.4 ", &a) < 0, "trailing space refused");

	nd_prefix_parse("172.25.3.3/16", &p);
	TAP_OK(&t, !nd_prefix_is_network(&p), "host bits detected");
	q = nd_prefix_network(&p);
	TAP_STR_EQ(&t, nd_prefix_to_str(&q, buf), "172.25.0.0/16", "network of 172.25.3.3/16");
	a = nd_prefix_last(&q);
	TAP_STR_EQ(&t, nd_addr_to_str(&a, buf), "172.25.255.255", "broadcast of /16");
	TAP_OK(&t, nd_prefix_size(&q) == 65536, "size of /16");

	nd_addr_parse("172.25.255.255", &a);
	b = nd_addr_add(&a, 1);
	TAP_STR_EQ(&t, nd_addr_to_str(&b, buf), "172.26.0.0", "carry across octets");
	TAP_OK(&t, nd_addr_distance(&a, &b) == 1, "distance 1");
	TAP_OK(&t, nd_addr_distance(&b, &a) == 0, "negative distance is 0");

	nd_addr_parse("fd00::ffff:ffff", &a);
	b = nd_addr_add(&a, 2);
	TAP_STR_EQ(&t, nd_addr_to_str(&b, buf), "fd00::1:0:1", "v6 carry");
	nd_prefix_parse("fd00::/8", &p);
	TAP_OK(&t, nd_prefix_size(&p) == UINT64_MAX, "huge v6 size saturates");

	nd_prefix_parse("172.16.0.0/12", &p);
	nd_prefix_parse("172.25.0.0/16", &q);
	TAP_OK(&t, nd_prefix_overlaps(&p, &q) && nd_prefix_overlaps(&q, &p), "overlap both ways");
	nd_prefix_parse("172.32.0.0/16", &q);
	TAP_OK(&t, !nd_prefix_overlaps(&p, &q), "disjoint");
	nd_addr_parse("172.25.0.1", &a);
	nd_prefix_parse("fd00::/64", &q);
	TAP_OK(&t, !nd_prefix_contains(&q, &a), "families never contain each other");
	return tap_done(&t);
}
