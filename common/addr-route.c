// SPDX-License-Identifier: MIT
/* Interface addresses and routes. */
#include "link.h"

#include <errno.h>
#include <string.h>

#include <linux/if_addr.h>

static struct rtnl_addr *addr_new(int ifindex, const struct nd_addr *a, unsigned len)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *local = nd_nl_addr(a, len);

	if (!ra || !local) {
		if (ra)
			rtnl_addr_put(ra);
		return NULL;
	}
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)len);
	return ra;
}

int nd_ifaddr_add(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *ra = addr_new(ifindex, a, len);
	_cleanup_(nl_addr_putp) struct nl_addr *brd = NULL;

	if (!ra)
		return -ENOMEM;
	/* No DAD: the address is usable at once, as Docker configures it. */
	if (a->family == AF_INET6)
		rtnl_addr_set_flags(ra, IFA_F_NODAD);
	/* Docker's IPv4 addresses carry the subnet's broadcast (172.17.0.3/16 brd 172.17.255.255). */
	if (a->family == AF_INET && len <= 30) {
		struct nd_prefix p = { .addr = *a, .len = len };
		struct nd_addr last = nd_prefix_last(&p);

		brd = nd_nl_addr(&last, 32);
		if (!brd)
			return -ENOMEM;
		rtnl_addr_set_broadcast(ra, brd);
	}
	return nd_nl_result(nl, rtnl_addr_add(nl->sk, ra, NLM_F_REPLACE));
}

int nd_ifaddr_del(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len)
{
	_cleanup_(rtnl_addr_putp) struct rtnl_addr *ra = addr_new(ifindex, a, len);
	int r;

	if (!ra)
		return -ENOMEM;
	r = nd_nl_result(nl, rtnl_addr_delete(nl->sk, ra, 0));
	return r == -EADDRNOTAVAIL || r == -ENODEV ? 0 : r;
}

static struct rtnl_route *route_new(const struct nd_prefix *dst)
{
	struct rtnl_route *rt = rtnl_route_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *d = nd_nl_addr(&dst->addr, dst->len);

	if (!rt || !d) {
		if (rt)
			rtnl_route_put(rt);
		return NULL;
	}
	rtnl_route_set_family(rt, (uint8_t)dst->addr.family);
	rtnl_route_set_dst(rt, d);
	rtnl_route_set_table(rt, RT_TABLE_MAIN);
	return rt;
}

int nd_route_replace(struct nd_nl *nl, const struct nd_prefix *dst, const struct nd_addr *gw,
		     int ifindex)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = route_new(dst);
	struct rtnl_nexthop *nh = rtnl_route_nh_alloc();

	if (!rt || !nh) {
		if (nh)
			rtnl_route_nh_free(nh);
		return -ENOMEM;
	}
	rtnl_route_nh_set_ifindex(nh, ifindex);
	if (gw && nd_addr_is_set(gw)) {
		_cleanup_(nl_addr_putp) struct nl_addr *g = nd_nl_addr(gw, nd_addr_bits(gw));

		if (!g) {
			rtnl_route_nh_free(nh);
			return -ENOMEM;
		}
		rtnl_route_nh_set_gateway(nh, g);
	} else {
		rtnl_route_set_scope(rt, RT_SCOPE_LINK);
	}
	rtnl_route_add_nexthop(rt, nh); /* the route owns nh now */
	return nd_nl_result(nl, rtnl_route_add(nl->sk, rt, NLM_F_REPLACE));
}

int nd_route_del(struct nd_nl *nl, const struct nd_prefix *dst)
{
	_cleanup_(rtnl_route_putp) struct rtnl_route *rt = route_new(dst);
	int r;

	if (!rt)
		return -ENOMEM;
	rtnl_route_set_scope(rt, RT_SCOPE_NOWHERE);
	r = nd_nl_result(nl, rtnl_route_delete(nl->sk, rt, 0));
	return r == -ESRCH || r == -ENOENT ? 0 : r;
}

struct addr_match {
	const struct nd_addr *want;
	unsigned len;
	int ifindex;
	bool found;
};

static void addr_matches(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct addr_match *m = arg;
	struct nl_addr *local = rtnl_addr_get_local(ra); /* borrowed */

	if (rtnl_addr_get_ifindex(ra) != m->ifindex || !local ||
	    rtnl_addr_get_prefixlen(ra) != (int)m->len ||
	    nl_addr_get_len(local) != nd_addr_len(m->want))
		return;
	if (!memcmp(nl_addr_get_binary_addr(local), m->want->bytes, nd_addr_len(m->want)))
		m->found = true;
}

int nd_ifaddr_has(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct addr_match m = { .want = a, .len = len, .ifindex = ifindex };
	int r = nd_nl_result(nl, rtnl_addr_alloc_cache(nl->sk, &cache));

	if (r < 0)
		return r;
	nl_cache_foreach(cache, addr_matches, &m);
	return m.found;
}
