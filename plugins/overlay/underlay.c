// SPDX-License-Identifier: MIT
/* The underlay: which local address is the VTEP, and the MTU of the device that has it. */
#include "overlay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "link.h"

ND_CLEANUP(struct ifaddrs *, freeifaddrs)

static bool sockaddr_is(const struct sockaddr *sa, const struct nd_addr *a)
{
	if (!sa || sa->sa_family != a->family)
		return false;
	if (a->family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, &a->v4, 4);
	return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, &a->v6, 16);
}

/* The interface holding a (name into ret), or the first address of interface name into *a. */
static int ifaddr_lookup(const char *name, struct nd_addr *a, char ret[IFNAMSIZ])
{
	_cleanup_(freeifaddrsp) struct ifaddrs *all = NULL;

	if (getifaddrs(&all) < 0)
		return -errno;
	for (struct ifaddrs *i = all; i; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
			continue;
		if (name && !strcmp(i->ifa_name, name) && sa->sa_family == AF_INET) {
			a->family = AF_INET;
			a->v4 = ((const struct sockaddr_in *)sa)->sin_addr;
			snprintf(ret, IFNAMSIZ, "%s", i->ifa_name);
			return 0;
		}
		if (!name && sockaddr_is(sa, a)) {
			snprintf(ret, IFNAMSIZ, "%s", i->ifa_name);
			return 0;
		}
	}
	return -ENODEV;
}

/* "http://host:port" -> host (brackets of an IPv6 literal dropped). */
static int url_host(const char *url, char *host, size_t size)
{
	const char *p = strstr(url, "://"), *end;

	p = p ? p + 3 : url;
	if (*p == '[') {
		end = strchr(++p, ']');
	} else {
		end = strchr(p, ':');
		if (!end)
			end = strchr(p, '/');
		if (!end)
			end = p + strlen(p);
	}
	if (!end || end == p || (size_t)(end - p) >= size)
		return -EINVAL;
	snprintf(host, size, "%.*s", (int)(end - p), p);
	return 0;
}

ND_CLEANUP(struct addrinfo *, freeaddrinfo)

/* The source address the kernel picks toward url's host: connect a UDP socket (sends nothing). */
static int source_toward(const char *url, struct nd_addr *ret)
{
	_cleanup_(freeaddrinfop) struct addrinfo *ai = NULL;
	_cleanup_(closep) int fd = -1;
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[256];
	int r = url_host(url, host, sizeof(host));

	if (r < 0)
		return r;
	if (getaddrinfo(host, "2379", &hints, &ai) != 0 || !ai)
		return -EHOSTUNREACH;
	fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	ret->family = ss.ss_family;
	if (ss.ss_family == AF_INET)
		ret->v4 = ((struct sockaddr_in *)&ss)->sin_addr;
	else
		ret->v6 = ((struct sockaddr_in6 *)&ss)->sin6_addr;
	return 0;
}

static int underlay_mtu(const struct nd_addr *vtep, unsigned *ret)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = NULL;
	struct nd_addr a = *vtep;
	struct nd_link_info info;
	char ifname[IFNAMSIZ];
	int r = ifaddr_lookup(NULL, &a, ifname);

	if (r >= 0)
		r = nd_nl_open(&nl);
	if (r >= 0)
		r = nd_link_info(nl, ifname, &info);
	if (r >= 0)
		*ret = info.mtu;
	return r;
}

int overlay_underlay_resolve(struct cni_ctx *ctx, struct overlay_conf *c)
{
	char ifname[IFNAMSIZ];
	int r = 0;

	if (c->vtep[0] && nd_addr_parse(c->vtep, &c->vtep_addr) < 0) {
		r = ifaddr_lookup(c->vtep, &c->vtep_addr, ifname);
		if (r < 0)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, r,
					"vtep \"%s\" is neither an address nor an interface with "
					"an IPv4 address",
					c->vtep);
	} else if (!c->vtep[0] && c->has_store) {
		r = source_toward(c->store.endpoints.v[0], &c->vtep_addr);
		if (r < 0)
			return cni_fail(ctx, CNI_ERR_TRY_AGAIN, r,
					"vtep: no route toward the first etcd endpoint %s: %s",
					c->store.endpoints.v[0], strerror(-r));
	}
	if (!c->vtep_addr.family)
		return 0; /* one host: no VTEP, the default MTU */
	r = underlay_mtu(&c->vtep_addr, &c->underlay_mtu);
	if (r < 0) {
		char a[ND_ADDR_STRLEN];

		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, r,
				"vtep %s is not an address of this host",
				nd_addr_to_str(&c->vtep_addr, a));
	}
	return 0;
}
