/* SPDX-License-Identifier: MIT */
/* Links, addresses and routes for bridge-based drivers: one netlink request per function. */
#ifndef ND_LINK_H
#define ND_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include "ip.h"
#include "nl.h"
#include "strv.h"

struct nd_bridge_spec {
	const char *name;
	unsigned mtu; /* 0: kernel default */
	uint8_t mac[6]; /* fixed, so an empty bridge never falls back to 00:00:00:00:00:00 */
	/*
	 * IGMP/MLD snooping. With it on, the kernel revisits the multicast state
	 * of every port whenever one port comes or goes: O(ports) per attach.
	 */
	bool mcast_snooping;
};

/* The ifindex of link name in nl's netns: > 0, or -ENODEV. */
int nd_link_index(struct nd_nl *nl, const char *name);
/*
 * Creates the bridge (up) unless it exists; returns its ifindex or -errno.
 * *ret_created tells whether this call made it.
 */
int nd_bridge_ensure(struct nd_nl *nl, const struct nd_bridge_spec *spec, bool *ret_created);

struct nd_veth_spec {
	const char *host_ifname;
	const char *cont_ifname;
	int bridge_ifindex;
	int netns_fd; /* the container end is created inside this netns */
	unsigned mtu;
	const uint8_t *cont_mac; /* NULL: kernel's random */
};

/* Creates the pair in one request, the host end up and enslaved; the container end stays down. */
int nd_veth_create(struct nd_nl *nl, const struct nd_veth_spec *v);
/* Appends the names of all links in nl's netns to ret (a container's few). */
int nd_link_names(struct nd_nl *nl, struct nd_strv *ret);
/* Deletes link name; a missing link is success. */
int nd_link_delete(struct nd_nl *nl, const char *name);

/* Adds a/len to ifindex (replacing an equal one), without DAD for IPv6. */
int nd_ifaddr_add(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len);
/* Removes a/len from ifindex; a missing address is success. */
int nd_ifaddr_del(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len);

/* Adds or replaces the route dst via gw (family 0: on-link) dev ifindex. */
int nd_route_replace(struct nd_nl *nl, const struct nd_prefix *dst, const struct nd_addr *gw,
		     int ifindex);
/* Deletes the route dst (any gateway, any device); a missing route is success. */
int nd_route_del(struct nd_nl *nl, const struct nd_prefix *dst);

struct nd_link_info {
	int ifindex;
	int master; /* 0: none */
	unsigned mtu;
	uint8_t mac[6];
	bool up;
};

/* Reads link name's state: 0, or -ENODEV. */
int nd_link_info(struct nd_nl *nl, const char *name, struct nd_link_info *ret);
/* Sets IFF_UP on ifindex. */
int nd_link_set_up(struct nd_nl *nl, int ifindex);
/* Sets IFF_PROMISC on ifindex. */
int nd_link_set_promisc(struct nd_nl *nl, int ifindex, bool on);
/* 1 when ifindex carries a/len, 0 when not, or -errno. */
int nd_ifaddr_has(struct nd_nl *nl, int ifindex, const struct nd_addr *a, unsigned len);

/* Formats a MAC as "aa:bb:cc:dd:ee:ff" (buf of 18). */
void nd_mac_to_str(const uint8_t mac[6], char *buf);
/* Parses "aa:bb:cc:dd:ee:ff". */
int nd_mac_parse(const char *s, uint8_t mac[6]);

#endif
