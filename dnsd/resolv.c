// SPDX-License-Identifier: MIT
/*
 * The host's upstreams: "nameserver" lines of resolv.conf. A loopback stub
 * (systemd-resolved's 127.0.0.53) cannot be reached from a container's
 * network, so its real upstreams in /run/systemd/resolve/resolv.conf are
 * used instead.
 */
#include "dnsd.h"

#include <stdio.h>
#include <string.h>

#include "cleanup.h"

#define RESOLVED_UPSTREAMS "/run/systemd/resolve/resolv.conf"

static bool loopback(const struct nd_addr *a)
{
	static const uint8_t v6_lo[16] = { [15] = 1 };

	return (a->family == AF_INET && a->bytes[0] == 127) ||
	       (a->family == AF_INET6 && !memcmp(a->bytes, v6_lo, 16));
}

static size_t read_file(const char *path, struct nd_addr *ret, size_t max, bool *saw_loopback)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	char line[256], word[64], addr[ND_ADDR_STRLEN + 16];
	size_t n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		char *pct;

		if (sscanf(line, "%63s %61s", word, addr) != 2 || strcmp(word, "nameserver"))
			continue;
		pct = strchr(addr, '%'); /* fe80::1%eth0: zone ids do not travel */
		if (pct)
			*pct = '\0';
		if (nd_addr_parse(addr, &ret[n]) < 0)
			continue;
		if (loopback(&ret[n]))
			*saw_loopback = true;
		else
			n++;
	}
	return n;
}

int dnsd_resolv_load(const char *path, struct nd_addr *ret, size_t max)
{
	bool stub = false;
	size_t n = read_file(path, ret, max, &stub);

	if (n == 0 && stub)
		n = read_file(RESOLVED_UPSTREAMS, ret, max, &stub);
	return (int)n;
}
