// SPDX-License-Identifier: MIT
/* ADD: IPAM, bridge, veth born in the container's netns, addresses, records, nftables, result. */
#include "bridge.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "brport.h"
#include "cleanup.h"
#include "delegate.h"
#include "link.h"
#include "nft.h"
#include "rundir.h"
#include "sysctl.h"

struct attach {
	struct bridge_conf conf;
	struct cni_result ipam;
	char host_ifname[IFNAMSIZ];
	uint8_t mac[6];
	int bridge_ifindex;
	struct nd_isolation_net isolation;
	int proc; /* nd_sysctl_open(), for the host's and the container's knobs */
	int run_fd; /* where sysctl writers queue (sysctl.h) */
	/* The network's nftables entries are missing: its first ADD on this host. */
	bool network_setup;
	struct nd_nft_txn *txn; /* the ADD's one netfilter socket: checks, then the commit */
};

static int kernel_fail(struct cni_ctx *ctx, struct nd_nl *nl, int r, const char *what)
{
	cni_fail(ctx, ND_ERR_KERNEL, r, "%s: %s", what, strerror(-r));
	if (nl && nl->ext_ack[0])
		cni_fail_details(ctx, "%s", nl->ext_ack);
	return r;
}

static bool has_family(const struct cni_result *res, int family)
{
	for (size_t i = 0; i < res->n_ips; i++)
		if (res->ips[i].address.addr.family == family)
			return true;
	return false;
}

/* Writes knob=value in net/ipv6/conf/<ifname>/; IPv6 may be off host-wide, so no error. */
static void ipv6_conf(const struct attach *a, const char *ifname, const char *knob,
		      const char *value)
{
	char path[64];

	snprintf(path, sizeof(path), "net/ipv6/conf/%s/%s", ifname, knob);
	nd_sysctl_write(a->proc, a->run_fd, path, value);
}

/* Docker turns routing on for the host as a whole; so do we, once per network. */
static void host_routing_on(const struct attach *a)
{
	nd_sysctl_write(a->proc, a->run_fd, "net/ipv4/ip_forward", "1");
	if (!has_family(&a->ipam, AF_INET6))
		return;
	nd_sysctl_write(a->proc, a->run_fd, "net/ipv6/conf/all/forwarding", "1");
	/* DAD holds a new address back for a second; the first packets would wait on it. */
	ipv6_conf(a, a->conf.bridge, "accept_dad", "0");
}

static int host_side(struct cni_ctx *ctx, struct attach *a, struct nd_nl *nl)
{
	struct nd_bridge_spec spec = { .name = a->conf.bridge,
				       .mtu = a->conf.mtu,
				       .mcast_snooping = a->conf.mcast_snooping };
	bool created;
	char what[64];
	int r;

	bridge_dev_mac(a->conf.bridge, spec.mac);
	r = a->bridge_ifindex = nd_bridge_ensure(nl, &spec, &created);
	if (r < 0)
		return kernel_fail(ctx, nl, r, "creating bridge");
	if (created || a->network_setup)
		host_routing_on(a);
	if (a->conf.promisc && (r = nd_link_set_promisc(nl, r, true)) < 0)
		return kernel_fail(ctx, nl, r, "promiscuous mode on the bridge");
	for (size_t i = 0; a->conf.is_gateway && i < a->ipam.n_ips; i++) {
		const struct cni_ip *ip = &a->ipam.ips[i];

		if (!nd_addr_is_set(&ip->gateway))
			continue;
		r = nd_ifaddr_add(nl, a->bridge_ifindex, &ip->gateway, ip->address.len);
		if (r < 0) {
			snprintf(what, sizeof(what), "gateway address on %s", a->conf.bridge);
			return kernel_fail(ctx, nl, r, what);
		}
	}
	return 0;
}

/* A new port starts with every flag off: only a port that needs one costs a request. */
static int port_flags(struct cni_ctx *ctx, struct attach *a, struct nd_nl *nl)
{
	/* icc off: isolated ports reach the bridge (gateway, DNS), never each other. */
	struct nd_brport_flags f = { .hairpin = a->conf.hairpin, .isolated = !a->conf.icc };
	int ifindex, r;

	if (!f.hairpin && !f.isolated)
		return 0;
	ifindex = nd_link_index(nl, a->host_ifname);
	r = ifindex < 0 ? ifindex : nd_brport_set(nl, ifindex, &f);
	return r < 0 ? kernel_fail(ctx, nl, r, "setting the port flags of the host veth") : 0;
}

static int veth_side(struct cni_ctx *ctx, struct attach *a, struct nd_nl *nl, int netns_fd)
{
	struct nd_veth_spec v = { .host_ifname = a->host_ifname,
				  .cont_ifname = ctx->ifname,
				  .bridge_ifindex = a->bridge_ifindex,
				  .netns_fd = netns_fd,
				  .mtu = a->conf.mtu,
				  .cont_mac = a->mac };
	int r = nd_veth_create(nl, &v);

	if (r == -EEXIST) {
		/* A repeated ADD: the old pair goes, the new one is built the same way. */
		nd_link_delete(nl, a->host_ifname);
		r = nd_veth_create(nl, &v);
	}
	/* Still there with our own pair gone: the container already has that name. */
	if (r == -EEXIST)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, r,
				"CNI_IFNAME %s already exists in CNI_NETNS %s", ctx->ifname,
				ctx->netns);
	if (r < 0)
		return kernel_fail(ctx, nl, r, "creating the veth pair");
	/*
	 * A bridge port switches frames and needs no IPv6 of its own. With it,
	 * each port adds a multicast route to the host's table, which every
	 * later link event walks whole. Before the carrier comes, so none is made.
	 */
	ipv6_conf(a, a->host_ifname, "disable_ipv6", "1");
	return port_flags(ctx, a, nl);
}

/* True when an interface of the current netns other than lo has a global IPv6 address. */
static bool netns_has_ipv6(void)
{
	struct ifaddrs *list = NULL;
	bool found = false;

	if (getifaddrs(&list) < 0)
		return true; /* unknown: leave IPv6 as it is */
	for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
		const struct sockaddr_in6 *sa = (const struct sockaddr_in6 *)i->ifa_addr;

		found = sa && sa->sin6_family == AF_INET6 && !(i->ifa_flags & IFF_LOOPBACK) &&
			!IN6_IS_ADDR_LINKLOCAL(&sa->sin6_addr);
	}
	freeifaddrs(list);
	return found;
}

/*
 * Docker sets net.ipv6.conf.all.disable_ipv6=1 in a container without IPv6
 * (lo has no ::1 then); an IPv6 network's ADD turns it back on.
 */
static void ipv6_whole_container(const struct attach *a, bool v6)
{
	if (!v6 && netns_has_ipv6())
		return;
	nd_sysctl_write(a->proc, a->run_fd, "net/ipv6/conf/all/disable_ipv6", v6 ? "0" : "1");
	nd_sysctl_write(a->proc, a->run_fd, "net/ipv6/conf/default/disable_ipv6", v6 ? "0" : "1");
}

static int container_addresses(struct cni_ctx *ctx, struct attach *a)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	bool v6 = has_family(&a->ipam, AF_INET6);
	int ifindex, r = nd_nl_open(&nl);

	if (r < 0)
		return kernel_fail(ctx, NULL, r, "netlink in the container");
	ifindex = nd_link_index(nl, ctx->ifname);
	if (ifindex < 0)
		return kernel_fail(ctx, nl, ifindex, "finding the container interface");
	/* Docker switches IPv6 off on interfaces of networks without it. */
	ipv6_conf(a, ctx->ifname, "disable_ipv6", v6 ? "0" : "1");
	ipv6_whole_container(a, v6);
	if (v6)
		ipv6_conf(a, ctx->ifname, "accept_dad", "0");
	r = nd_link_set_up(nl, ifindex);
	if (r < 0)
		return kernel_fail(ctx, nl, r, "bringing the container interface up");
	for (size_t i = 0; i < a->ipam.n_ips; i++) {
		r = nd_ifaddr_add(nl, ifindex, &a->ipam.ips[i].address.addr,
				  a->ipam.ips[i].address.len);
		if (r < 0)
			return kernel_fail(ctx, nl, r, "address on the container interface");
	}
	for (size_t i = 0; i < a->ipam.n_routes; i++) {
		const struct cni_route *rt = &a->ipam.routes[i];

		if (rt->dst.len == 0)
			continue; /* default routes follow the lexical-order rule */
		r = nd_route_replace(nl, &rt->dst, &rt->gw, ifindex);
		if (r < 0)
			return kernel_fail(ctx, nl, r, "route in the container");
	}
	return 0;
}

static int in_container(struct cni_ctx *ctx, struct attach *a, int netns_fd)
{
	int orig = -1, r = nd_netns_enter(netns_fd, &orig);

	if (r < 0)
		return cni_fail(ctx, ND_ERR_NETNS, r, "entering %s: %s", ctx->netns, strerror(-r));
	r = container_addresses(ctx, a);
	nd_netns_leave(orig);
	return r;
}

static int nft_commit(struct cni_ctx *ctx, struct attach *a)
{
	char err[256] = "";
	int r = 0;

	/*
	 * Every nftables commit ends with an RCU grace period that the next
	 * netfilter socket close waits for (~10 ms): the network's entries go
	 * in the same batch as this port's source addresses (antispoof.h).
	 */
	if (a->network_setup)
		r = nd_isolation_add(a->txn, &a->isolation);
	if (r >= 0)
		r = bridge_antispoof_add(a->txn, a->host_ifname, &a->ipam);
	if (r >= 0)
		r = nd_nft_txn_commit(a->txn, err, sizeof(err));
	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r, "nftables table %s: %s", nd_nft_table_name(),
			 strerror(-r));
		cni_fail_details(ctx, "%s", err);
	}
	return r;
}

static void result_interfaces(struct cni_ctx *ctx, const struct attach *a, struct cni_result *res)
{
	struct cni_iface *br = &res->interfaces[0], *host = &res->interfaces[1],
			 *cont = &res->interfaces[2];

	snprintf(br->name, sizeof(br->name), "%s", a->conf.bridge);
	bridge_dev_mac_str(a->conf.bridge, br->mac);
	snprintf(host->name, sizeof(host->name), "%s", a->host_ifname);
	snprintf(cont->name, sizeof(cont->name), "%s", ctx->ifname);
	nd_mac_to_str(a->mac, cont->mac);
	snprintf(cont->sandbox, sizeof(cont->sandbox), "%s", ctx->netns);
	cont->mtu = a->conf.mtu;
	res->n_interfaces = 3;
}

static void result_dns(const struct attach *a, struct cni_result *res)
{
	struct cni_dns *d = &res->dns;

	if (!a->conf.dns.enabled)
		return;
	for (size_t i = 0; i < a->ipam.n_ips && d->n_nameservers < CNI_MAX_DNS; i++)
		if (nd_addr_is_set(&a->ipam.ips[i].gateway))
			nd_addr_to_str(&a->ipam.ips[i].gateway, d->nameservers[d->n_nameservers++]);
	if (a->conf.dns.domain[0]) {
		snprintf(d->search[0], sizeof(d->search[0]), "%s", a->conf.dns.domain);
		d->n_search = 1;
	}
}

static void result_routes(const struct attach *a, const struct nd_route_owner *owner,
			  struct cni_result *res)
{
	for (size_t i = 0; i < a->ipam.n_routes && res->n_routes < CNI_MAX_ROUTES; i++)
		if (a->ipam.routes[i].dst.len)
			res->routes[res->n_routes++] = a->ipam.routes[i];
	for (int v6 = 0; v6 < 2 && owner->net[0]; v6++) {
		const struct nd_addr *gw = v6 ? &owner->gw6 : &owner->gw4;
		struct cni_route *rt = &res->routes[res->n_routes];

		if (!nd_addr_is_set(gw) || res->n_routes == CNI_MAX_ROUTES)
			continue;
		*rt = (struct cni_route){ .dst = { .addr = { .family = gw->family } }, .gw = *gw };
		res->n_routes++;
	}
}

static void fill_result(struct cni_ctx *ctx, const struct attach *a,
			const struct nd_route_owner *owner)
{
	struct cni_result *res = &ctx->result;
	bool mine = !strcmp(owner->net, ctx->net_name) && !strcmp(owner->ifname, ctx->ifname);
	struct nd_route_owner none = { .net = "" };

	memset(res, 0, sizeof(*res));
	result_interfaces(ctx, a, res);
	for (size_t i = 0; i < a->ipam.n_ips; i++) {
		res->ips[i] = a->ipam.ips[i];
		res->ips[i].interface = 2;
	}
	res->n_ips = a->ipam.n_ips;
	result_routes(a, mine ? owner : &none, res);
	result_dns(a, res);
	ctx->has_result = true;
}

static int attach_steps(struct cni_ctx *ctx, struct attach *a, struct nd_route_owner *owner)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	_cleanup_(closep) int netns_fd = nd_netns_open(ctx->netns);
	_cleanup_(closep) int proc = a->proc = nd_sysctl_open();
	_cleanup_(closep) int run_fd = a->run_fd = nd_dir_open(nd_run_dir_path(ctx), true);
	char missing[128];
	int r;

	if (netns_fd < 0)
		return cni_fail(ctx, ND_ERR_NETNS, netns_fd, "CNI_NETNS %s: %s", ctx->netns,
				strerror(-netns_fd));
	if (run_fd < 0)
		return cni_fail(ctx, CNI_ERR_IO, run_fd, "run dir %s: %s", nd_run_dir_path(ctx),
				strerror(-run_fd));
	/* One netfilter socket for the whole ADD: each one's close may wait (nft.h). */
	r = nd_nft_txn_new(&a->txn);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_NFT, r, "nftables: %s", strerror(-r));
	bridge_isolation_of(ctx->conf, &a->conf, &a->ipam, &a->isolation);
	a->network_setup = nd_isolation_check(a->txn, &a->isolation, missing, sizeof(missing)) < 0;
	r = nd_nl_open(&nl);
	if (r < 0)
		return kernel_fail(ctx, NULL, r, "netlink");
	r = host_side(ctx, a, nl);
	if (r >= 0)
		r = veth_side(ctx, a, nl, netns_fd);
	if (r >= 0)
		r = in_container(ctx, a, netns_fd);
	if (r >= 0) {
		char mac[18];

		nd_mac_to_str(a->mac, mac);
		r = bridge_write_records(ctx, run_fd, &a->conf, &a->ipam, a->host_ifname, mac);
	}
	if (r >= 0)
		r = bridge_default_route_update(ctx, run_fd, owner);
	/* The firewall scan before the commit: its socket's close would wait for the commit's. */
	if (r >= 0)
		r = bridge_hostfw_add(ctx, a->conf.bridge, run_fd);
	if (r >= 0)
		r = nft_commit(ctx, a);
	return r;
}

int bridge_add(struct cni_ctx *ctx)
{
	struct attach *a = calloc(1, sizeof(*a));
	struct nd_route_owner owner;
	int r;

	if (!a)
		return -ENOMEM;
	r = bridge_conf_parse(ctx, &a->conf);
	if (r >= 0)
		r = cni_netns_check(ctx);
	if (r >= 0)
		r = nd_delegate(ctx, a->conf.ipam_type, CNI_ADD, &a->ipam);
	if (r >= 0 && a->ipam.n_ips == 0)
		r = cni_fail(ctx, ND_ERR_DELEGATE, -EINVAL, "%s returned no address",
			     a->conf.ipam_type);
	if (r >= 0) {
		bridge_host_ifname(ctx->container_id, ctx->ifname, a->host_ifname);
		if (!ctx->rt.mac[0] || nd_mac_parse(ctx->rt.mac, a->mac) < 0)
			bridge_mac_for(&a->ipam, ctx->container_id, ctx->ifname, a->mac);
		r = attach_steps(ctx, a, &owner);
		/* A failed ADD runs the DEL path: nothing of it stays behind. */
		if (r < 0)
			bridge_teardown(ctx, &a->conf, true);
	}
	if (r >= 0)
		fill_result(ctx, a, &owner);
	bridge_conf_clear(&a->conf);
	nd_nft_txn_free_via(a->txn, nd_run_dir_path(ctx));
	free(a);
	return r;
}
