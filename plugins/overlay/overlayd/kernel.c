// SPDX-License-Identifier: MIT
/*
 * Kernel state for the remote endpoints, per VXLAN device: an FDB entry
 * (MAC -> remote VTEP), a neighbour entry per address (answered by the
 * device's ARP/ND proxy) and one all-zero flood entry per remote VTEP. Each
 * pass dumps what the kernel has and sends only the difference.
 */
#include "overlayd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/neighbour.h>

#include <netlink/route/neighbour.h>

#include "cleanup.h"
#include "link.h"
#include "log.h"

struct entry {
	int ifindex;
	bool fdb; /* AF_BRIDGE: mac -> ip (the VTEP); else neighbour: ip -> mac */
	uint8_t mac[6];
	struct nd_addr ip;
	bool keep; /* kernel side: desired; desired side: present */
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

ND_CLEANUP(struct rtnl_neigh *, rtnl_neigh_put)

static void entries_free(struct entries *l)
{
	free(l->v);
}

static int push(struct entries *l, const struct entry *e)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *e;
	return 0;
}

static bool same(const struct entry *a, const struct entry *b)
{
	return a->ifindex == b->ifindex && a->fdb == b->fdb && !memcmp(a->mac, b->mac, 6) &&
	       nd_addr_equal(&a->ip, &b->ip);
}

static bool contains(const struct entries *l, const struct entry *e)
{
	for (size_t i = 0; i < l->n; i++)
		if (same(&l->v[i], e))
			return true;
	return false;
}

static int push_unique(struct entries *l, const struct entry *e)
{
	return contains(l, e) ? 0 : push(l, e);
}

static int desired(const struct agent *a, struct entries *ret)
{
	int r = 0;

	for (size_t i = 0; i < a->n_remotes && r >= 0; i++) {
		const struct remote *rm = &a->remotes[i];
		const struct local_net *n = overlayd_net(a, rm->net);
		struct entry fdb = { .fdb = true, .ip = rm->vtep }, flood;

		if (!n || !n->ifindex || rm->vtep.family != n->o.vtep.family ||
		    nd_addr_equal(&rm->vtep, &n->o.vtep))
			continue; /* not here, or a VTEP this host cannot (or must not) reach */
		fdb.ifindex = n->ifindex;
		memcpy(fdb.mac, rm->mac, 6);
		flood = fdb;
		memset(flood.mac, 0, 6);
		r = push_unique(ret, &fdb);
		if (r >= 0)
			r = push_unique(ret, &flood);
		for (size_t k = 0; k < rm->rec.n_ips && r >= 0; k++) {
			struct entry ne = { .ifindex = n->ifindex, .ip = rm->rec.ips[k].addr };

			memcpy(ne.mac, rm->mac, 6);
			r = push_unique(ret, &ne);
		}
	}
	return r;
}

static bool ours(const struct agent *a, int ifindex)
{
	for (size_t i = 0; i < a->n_nets; i++)
		if (a->nets[i].ifindex && a->nets[i].ifindex == ifindex)
			return true;
	return false;
}

static int addr_of(struct nl_addr *na, struct nd_addr *ret)
{
	*ret = (struct nd_addr){ .family = na ? nl_addr_get_family(na) : 0 };
	if (!na || (ret->family != AF_INET && ret->family != AF_INET6) ||
	    nl_addr_get_len(na) != nd_addr_len(ret))
		return -EINVAL;
	memcpy(ret->bytes, nl_addr_get_binary_addr(na), nd_addr_len(ret));
	return 0;
}

static void collect(struct nl_object *obj, void *data)
{
	struct rtnl_neigh *n = (struct rtnl_neigh *)obj;
	void **args = data;
	const struct agent *a = args[0];
	struct entries *l = args[1];
	struct nl_addr *ll = rtnl_neigh_get_lladdr(n);
	struct entry e = { .ifindex = rtnl_neigh_get_ifindex(n) };

	if (!ours(a, e.ifindex) || !ll || nl_addr_get_len(ll) != 6)
		return;
	e.fdb = rtnl_neigh_get_family(n) == AF_BRIDGE;
	/* Only the device's own entries (self, with a destination), not the bridge's. */
	if (e.fdb && !(rtnl_neigh_get_flags(n) & NTF_SELF))
		return;
	if (addr_of(rtnl_neigh_get_dst(n), &e.ip) < 0)
		return;
	memcpy(e.mac, nl_addr_get_binary_addr(ll), 6);
	/* The kernel's own multicast mappings (IPv6 on the port) are not ours to manage. */
	if (!e.fdb && ((e.mac[0] & 1) || !(rtnl_neigh_get_state(n) & NUD_PERMANENT)))
		return;
	push(l, &e);
}

static int dump(struct agent *a, struct entries *ret)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	void *args[2] = { a, ret };
	int r = nd_nl_result(a->nl,
			     rtnl_neigh_alloc_cache_flags(a->nl->sk, &cache, NL_CACHE_AF_ITER));

	if (r < 0)
		return r;
	nl_cache_foreach(cache, collect, args);
	return 0;
}

static int send_entry(struct agent *a, const struct entry *e, bool add)
{
	_cleanup_(rtnl_neigh_putp) struct rtnl_neigh *n = rtnl_neigh_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *ll = nl_addr_build(AF_LLC, e->mac, 6);
	_cleanup_(nl_addr_putp) struct nl_addr *ip = nd_nl_addr(&e->ip, nd_addr_bits(&e->ip));
	int r;

	if (!n || !ll || !ip)
		return -ENOMEM;
	rtnl_neigh_set_ifindex(n, e->ifindex);
	rtnl_neigh_set_lladdr(n, ll);
	/* The destination first: libnl drops a dst whose family differs from one already set. */
	rtnl_neigh_set_dst(n, ip);
	rtnl_neigh_set_family(n, e->fdb ? AF_BRIDGE : e->ip.family);
	rtnl_neigh_set_state(n, e->fdb ? NUD_PERMANENT | NUD_NOARP : NUD_PERMANENT);
	if (e->fdb)
		rtnl_neigh_set_flags(n, NTF_SELF);
	a->nl_changes++;
	/* Flood entries share the zero MAC: each VTEP is appended, not replacing the others. */
	r = add ? rtnl_neigh_add(a->nl->sk, n,
				 NLM_F_CREATE | (e->fdb ? NLM_F_APPEND : NLM_F_REPLACE)) :
		  rtnl_neigh_delete(a->nl->sk, n, 0);
	r = nd_nl_result(a->nl, r);
	return add && r == -EEXIST ? 0 : !add && r == -ENOENT ? 0 : r;
}

static void log_entry(const struct entry *e, bool add, int r)
{
	char mac[18], ip[ND_ADDR_STRLEN];

	nd_mac_to_str(e->mac, mac);
	nd_addr_to_str(&e->ip, ip);
	if (r < 0)
		nd_warn("overlayd: %s %s %s %s on ifindex %d: %s", add ? "adding" : "removing",
			e->fdb ? "fdb" : "neighbour", mac, ip, e->ifindex, strerror(-r));
	else
		nd_debug("overlayd: %s %s %s %s on ifindex %d", add ? "+" : "-",
			 e->fdb ? "fdb" : "neigh", mac, ip, e->ifindex);
}

int overlayd_kernel_sync(struct agent *a)
{
	struct entries want = { 0 }, have = { 0 };
	size_t added = 0, removed = 0;
	int r = desired(a, &want);

	if (r >= 0)
		r = dump(a, &have);
	/* Stale ones first: a MAC that moved loses its old VTEP before it gains the new. */
	for (size_t i = 0; r >= 0 && i < have.n; i++) {
		if (contains(&want, &have.v[i]))
			continue;
		log_entry(&have.v[i], false, send_entry(a, &have.v[i], false));
		removed++;
	}
	for (size_t i = 0; r >= 0 && i < want.n; i++) {
		if (contains(&have, &want.v[i]))
			continue;
		log_entry(&want.v[i], true, send_entry(a, &want.v[i], true));
		added++;
	}
	if (added || removed)
		nd_info("overlayd: kernel entries +%zu -%zu (%zu wanted)", added, removed, want.n);
	entries_free(&want);
	entries_free(&have);
	a->kernel_dirty = r < 0;
	return r;
}
