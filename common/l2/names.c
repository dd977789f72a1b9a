// SPDX-License-Identifier: MIT
/* Derived names: bridge and host-side veth names, MAC addresses. */
#include "bridge.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "link.h"

/* FNV-1a: stable across runs and builds, which is all a name needs. */
static uint64_t fnv1a(const char *a, const char *b)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *s = a; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	h = (h ^ 0xff) * 0x100000001b3ull;
	for (const char *s = b; s && *s; s++)
		h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
	return h;
}

/* Docker names its bridges "br-" + 12 hex digits of the network id. */
void bridge_name_derive(const char *net, char ret[IFNAMSIZ])
{
	snprintf(ret, IFNAMSIZ, "br-%012llx",
		 (unsigned long long)(fnv1a(net, NULL) & 0xffffffffffffull));
}

void bridge_host_ifname(const char *cid, const char *ifname, char ret[IFNAMSIZ])
{
	snprintf(ret, IFNAMSIZ, "veth%08llx", (unsigned long long)(fnv1a(cid, ifname) >> 32));
}

/* Docker's scheme: 02:42 and the IPv4 address (172.25.3.3 -> 02:42:ac:19:03:03). */
void bridge_mac_for(const struct cni_result *ipam, const char *cid, const char *ifname,
		    uint8_t ret[6])
{
	uint64_t h = fnv1a(cid, ifname);

	ret[0] = 0x02;
	ret[1] = 0x42;
	for (size_t i = 0; i < ipam->n_ips; i++)
		if (ipam->ips[i].address.addr.family == AF_INET) {
			memcpy(ret + 2, ipam->ips[i].address.addr.bytes, 4);
			return;
		}
	for (int i = 2; i < 6; i++, h >>= 8)
		ret[i] = (uint8_t)h;
}

void bridge_dev_mac(const char *bridge, uint8_t ret[6])
{
	uint64_t h = fnv1a("bridge", bridge);

	ret[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++, h >>= 8)
		ret[i] = (uint8_t)h;
}

void bridge_dev_mac_str(const char *bridge, char ret[18])
{
	uint8_t mac[6];

	bridge_dev_mac(bridge, mac);
	nd_mac_to_str(mac, ret);
}
