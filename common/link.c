// SPDX-License-Identifier: MIT
/* Bridge and veth creation and removal. */
#include "link.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/msg.h>
#include <netlink/route/link/veth.h>

int nd_link_index(struct nd_nl *nl, const char *name)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
	int r = nd_nl_result(nl, rtnl_link_get_kernel(nl->sk, 0, name, &link));

	if (r < 0)
		return r == -ENODEV || r == -EINVAL ? -ENODEV : r;
	return rtnl_link_get_ifindex(link);
}

ND_CLEANUP(struct nl_msg *, nlmsg_free)

/*
 * RTM_NEWLINK for the bridge, built by hand: libnl 3.7 cannot carry the
 * bridge's own attributes (IFLA_INFO_DATA), and snooping is one of them.
 */
static int bridge_create(struct nd_nl *nl, const struct nd_bridge_spec *spec)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg =
		nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_flags = IFF_UP,
				 .ifi_change = IFF_UP };
	struct nlattr *info, *data;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, spec->name) < 0 ||
	    nla_put(msg, IFLA_ADDRESS, 6, spec->mac) < 0 ||
	    (spec->mtu && nla_put_u32(msg, IFLA_MTU, spec->mtu) < 0) ||
	    !(info = nla_nest_start(msg, IFLA_LINKINFO)) ||
	    nla_put_string(msg, IFLA_INFO_KIND, "bridge") < 0 ||
	    !(data = nla_nest_start(msg, IFLA_INFO_DATA)) ||
	    nla_put_u8(msg, IFLA_BR_MCAST_SNOOPING, spec->mcast_snooping) < 0)
		return -ENOMEM;
	nla_nest_end(msg, data);
	nla_nest_end(msg, info);
	/* nl_send_sync frees the message whatever happens. */
	return nd_nl_result(nl, nl_send_sync(nl->sk, steal_ptr(msg)));
}

int nd_bridge_ensure(struct nd_nl *nl, const struct nd_bridge_spec *spec, bool *ret_created)
{
	int r = nd_link_index(nl, spec->name);

	*ret_created = false;
	if (r != -ENODEV)
		return r;
	r = bridge_create(nl, spec);
	/* Another ADD of the same network may have created it first. */
	if (r < 0 && r != -EEXIST)
		return r;
	*ret_created = r >= 0;
	return nd_link_index(nl, spec->name);
}

int nd_veth_create(struct nd_nl *nl, const struct nd_veth_spec *v)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *host = rtnl_link_veth_alloc();
	_cleanup_(rtnl_link_putp) struct rtnl_link *peer = NULL;
	_cleanup_(nl_addr_putp) struct nl_addr *mac = NULL;

	if (!host)
		return -ENOMEM;
	peer = rtnl_link_veth_get_peer(host); /* a new reference */
	rtnl_link_set_name(host, v->host_ifname);
	rtnl_link_set_master(host, v->bridge_ifindex);
	rtnl_link_set_flags(host, IFF_UP);
	/*
	 * One queue each from the start: left to the kernel, a veth gets a queue
	 * per CPU and is cut to one at once, and each cut waits for an RCU grace
	 * period while holding rtnl (two per pair: ~0.3 ms, and every parallel
	 * ADD queues behind it). One queue is what the kernel leaves anyway.
	 */
	rtnl_link_set_num_tx_queues(host, 1);
	rtnl_link_set_num_rx_queues(host, 1);
	rtnl_link_set_num_tx_queues(peer, 1);
	rtnl_link_set_num_rx_queues(peer, 1);
	rtnl_link_set_name(peer, v->cont_ifname);
	/* Not IFF_UP: the kernel configures the peer before pairing it, and veth_open then fails. */
	rtnl_link_set_ns_fd(peer, v->netns_fd);
	if (v->mtu) {
		rtnl_link_set_mtu(host, v->mtu);
		rtnl_link_set_mtu(peer, v->mtu);
	}
	if (v->cont_mac) {
		mac = nl_addr_build(AF_LLC, v->cont_mac, 6);
		if (!mac)
			return -ENOMEM;
		rtnl_link_set_addr(peer, mac);
	}
	return nd_nl_result(nl, rtnl_link_add(nl->sk, host, NLM_F_CREATE | NLM_F_EXCL));
}

struct name_list {
	struct nd_strv *names;
	int err;
};

static void push_name(struct nl_object *obj, void *arg)
{
	struct name_list *l = arg;
	const char *name = rtnl_link_get_name((struct rtnl_link *)obj);

	if (name && l->err == 0)
		l->err = nd_strv_push(l->names, name);
}

int nd_link_names(struct nd_nl *nl, struct nd_strv *ret)
{
	_cleanup_(nl_cache_freep) struct nl_cache *cache = NULL;
	struct name_list l = { .names = ret };
	int r = nd_nl_result(nl, rtnl_link_alloc_cache(nl->sk, AF_UNSPEC, &cache));

	if (r < 0)
		return r;
	nl_cache_foreach(cache, push_name, &l);
	return l.err;
}

int nd_link_delete(struct nd_nl *nl, const char *name)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *link = rtnl_link_alloc();
	int r;

	if (!link)
		return -ENOMEM;
	rtnl_link_set_name(link, name);
	r = nd_nl_result(nl, rtnl_link_delete(nl->sk, link));
	return r == -ENODEV ? 0 : r;
}

void nd_mac_to_str(const uint8_t mac[6], char *buf)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
		 mac[5]);
}

int nd_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned b[6];
	char tail;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

int nd_link_info(struct nd_nl *nl, const char *name, struct nd_link_info *ret)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *link = NULL;
	struct nl_addr *mac;
	int r = nd_nl_result(nl, rtnl_link_get_kernel(nl->sk, 0, name, &link));

	if (r < 0)
		return r == -EINVAL ? -ENODEV : r;
	memset(ret, 0, sizeof(*ret));
	ret->ifindex = rtnl_link_get_ifindex(link);
	ret->master = rtnl_link_get_master(link);
	ret->mtu = rtnl_link_get_mtu(link);
	ret->up = rtnl_link_get_flags(link) & IFF_UP;
	mac = rtnl_link_get_addr(link); /* borrowed */
	if (mac && nl_addr_get_len(mac) == 6)
		memcpy(ret->mac, nl_addr_get_binary_addr(mac), 6);
	return 0;
}

int nd_link_set_up(struct nd_nl *nl, int ifindex)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *orig = rtnl_link_alloc();
	_cleanup_(rtnl_link_putp) struct rtnl_link *change = rtnl_link_alloc();

	if (!orig || !change)
		return -ENOMEM;
	rtnl_link_set_ifindex(orig, ifindex);
	rtnl_link_set_flags(change, IFF_UP);
	return nd_nl_result(nl, rtnl_link_change(nl->sk, orig, change, 0));
}

int nd_link_set_promisc(struct nd_nl *nl, int ifindex, bool on)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *orig = rtnl_link_alloc();
	_cleanup_(rtnl_link_putp) struct rtnl_link *change = rtnl_link_alloc();

	if (!orig || !change)
		return -ENOMEM;
	rtnl_link_set_ifindex(orig, ifindex);
	if (on)
		rtnl_link_set_flags(change, IFF_PROMISC);
	else
		rtnl_link_unset_flags(change, IFF_PROMISC);
	return nd_nl_result(nl, rtnl_link_change(nl->sk, orig, change, 0));
}
