// SPDX-License-Identifier: MIT
/* The network's VXLAN device: its VNI, no learning, ARP/ND answered from known entries. */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/if.h>

#include <netlink/route/link/vxlan.h>

#include "cleanup.h"
#include "link.h"

void overlay_vxlan_name(unsigned vni, char ret[IFNAMSIZ])
{
	snprintf(ret, IFNAMSIZ, "vx-%u", vni);
}

/* Derived from the host's identity and the VNI: the same after a restart or reboot. */
static void vxlan_mac(const struct overlay_conf *c, uint8_t ret[6])
{
	char id[96];

	snprintf(id, sizeof(id), "%s/%u", c->host, c->vni);
	bridge_dev_mac(id, ret);
}

static int vxlan_create(struct nd_nl *nl, const struct overlay_conf *c, const char *name,
			int bridge_ifindex, unsigned mtu)
{
	_cleanup_(rtnl_link_putp) struct rtnl_link *l = rtnl_link_vxlan_alloc();
	_cleanup_(nl_addr_putp) struct nl_addr *local = NULL, *mac = NULL;
	uint8_t m[6];

	if (!l)
		return -ENOMEM;
	vxlan_mac(c, m);
	mac = nl_addr_build(AF_LLC, m, 6);
	if (c->vtep_addr.family)
		local = nd_nl_addr(&c->vtep_addr, nd_addr_bits(&c->vtep_addr));
	if (!mac || (c->vtep_addr.family && !local))
		return -ENOMEM;
	rtnl_link_set_name(l, name);
	rtnl_link_set_addr(l, mac);
	rtnl_link_set_master(l, bridge_ifindex);
	rtnl_link_set_flags(l, IFF_UP);
	if (mtu)
		rtnl_link_set_mtu(l, mtu);
	rtnl_link_vxlan_set_id(l, c->vni);
	rtnl_link_vxlan_set_port(l, c->port);
	rtnl_link_vxlan_set_learning(l, 0);
	/* The kernel answers ARP and ND from the neighbour entries overlayd programs. */
	rtnl_link_vxlan_set_proxy(l, 1);
	if (local)
		rtnl_link_vxlan_set_local(l, local);
	return nd_nl_result(nl, rtnl_link_add(nl->sk, l, NLM_F_CREATE | NLM_F_EXCL));
}

/* The bridge the way bridge's ADD makes it, so the VXLAN port can be enslaved before it. */
static int bridge_of(struct nd_nl *nl, const struct bridge_conf *bc)
{
	struct nd_bridge_spec spec = { .name = bc->bridge,
				       .mtu = bc->mtu,
				       .mcast_snooping = bc->mcast_snooping };
	bool created;

	bridge_dev_mac(bc->bridge, spec.mac);
	return nd_bridge_ensure(nl, &spec, &created);
}

int overlay_vxlan_ensure(struct cni_ctx *ctx, const struct overlay_conf *c,
			 const struct bridge_conf *bc)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	char name[IFNAMSIZ];
	int br, r = nd_nl_open(&nl);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "netlink: %s", strerror(-r));
	overlay_vxlan_name(c->vni, name);
	br = bridge_of(nl, bc);
	if (br < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, br, "creating bridge %s: %s", bc->bridge,
				strerror(-br));
	if (bc->is_gateway && (r = overlay_gateways_add(ctx, nl, br)) < 0)
		return r;
	if (nd_link_index(nl, name) > 0)
		return 0;
	r = vxlan_create(nl, c, name, br, bc->mtu);
	if (r < 0 && r != -EEXIST) {
		cni_fail(ctx, ND_ERR_KERNEL, r, "creating VXLAN device %s (VNI %u): %s", name,
			 c->vni, strerror(-r));
		if (nl->ext_ack[0])
			cni_fail_details(ctx, "%s", nl->ext_ack);
		return r;
	}
	return 0;
}

int overlay_vxlan_check(struct cni_ctx *ctx, const struct overlay_conf *c,
			const struct bridge_conf *bc)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	struct nd_link_info vx, br;
	char name[IFNAMSIZ];
	int r = nd_nl_open(&nl);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r, "netlink: %s", strerror(-r));
	overlay_vxlan_name(c->vni, name);
	if (nd_link_info(nl, name, &vx) < 0)
		return cni_fail(ctx, ND_ERR_CHECK, -ENODEV, "VXLAN device %s is missing", name);
	if (nd_link_info(nl, bc->bridge, &br) < 0 || vx.master != br.ifindex)
		return cni_fail(ctx, ND_ERR_CHECK, -EINVAL, "VXLAN device %s is not a port of %s",
				name, bc->bridge);
	return 0;
}

int overlay_vxlan_delete(struct cni_ctx *ctx, unsigned vni)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	char name[IFNAMSIZ];
	int r = nd_nl_open(&nl);

	overlay_vxlan_name(vni, name);
	if (r >= 0)
		r = nd_link_delete(nl, name);
	return r < 0 ? cni_fail(ctx, ND_ERR_KERNEL, r, "deleting %s: %s", name, strerror(-r)) : 0;
}
