// SPDX-License-Identifier: MIT
/* hostPort 0: the lowest port of the ephemeral range that no mapping and no host socket holds. */
#include "portmap.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"

static void ephemeral_range(unsigned *lo, unsigned *hi)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");

	*lo = 32768;
	*hi = 60999;
	if (f && fscanf(f, "%u %u", lo, hi) != 2) {
		*lo = 32768;
		*hi = 60999;
	}
}

/* A port some host process listens on cannot be published (Docker fails the same way). */
static bool bound_on_host(uint8_t proto, uint16_t port)
{
	int type = proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_STREAM;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6,
				   .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	_cleanup_(closep) int fd =
		socket(AF_INET6, type | SOCK_CLOEXEC, proto == IPPROTO_SCTP ? IPPROTO_SCTP : 0);
	int off = 0;

	if (fd < 0)
		return false;
	/* A dual-stack socket: one bind() tests both families. */
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	return bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno == EADDRINUSE;
}

int portmap_pick_port(struct portmap_ledger *l, uint8_t proto, uint16_t *ret)
{
	unsigned lo, hi;

	ephemeral_range(&lo, &hi);
	for (unsigned p = lo; p <= hi && p <= 65535; p++) {
		if (portmap_ledger_port_taken(l, proto, (uint16_t)p) ||
		    bound_on_host(proto, (uint16_t)p))
			continue;
		*ret = (uint16_t)p;
		return 0;
	}
	return -EADDRINUSE;
}
