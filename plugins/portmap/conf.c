// SPDX-License-Identifier: MIT
/* portmap's config and the resolution of portMappings into per-family entries. */
#include "portmap.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "conf.h"
#include "record.h"
#include "rundir.h"

static const char *const keys[] = {
	"cniVersion",	"name",	   "type",   "capabilities", "runtimeConfig",	     "prevResult",
	"args",		"hostIP",  "snat",   "markMasqBit",  "externalSetMarkChain", "conditionsV4",
	"conditionsV6", "backend", "runDir", NULL,
};

const char *portmap_proto_name(uint8_t proto)
{
	return proto == IPPROTO_UDP ? "udp" : proto == IPPROTO_SCTP ? "sctp" : "tcp";
}

static uint8_t proto_number(const char *name)
{
	return !strcmp(name, "udp")  ? IPPROTO_UDP :
	       !strcmp(name, "sctp") ? IPPROTO_SCTP :
				       IPPROTO_TCP;
}

/* The network's own defaults live in its run-dir record (bridge options). */
static void from_network_record(struct cni_ctx *ctx, struct portmap_conf *c)
{
	_cleanup_(closep) int run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	struct nd_net_record n;

	if (run_fd < 0 || nd_net_record_read(run_fd, ctx->net_name, &n) < 0)
		return;
	snprintf(c->bridge, sizeof(c->bridge), "%s", n.bridge);
	c->internal = n.internal;
	for (size_t i = 0; i < n.option_keys.n && !nd_addr_is_set(&c->default_host_ip); i++)
		if (!strcmp(n.option_keys.v[i], "com.docker.network.bridge.host_binding_ipv4"))
			nd_addr_parse(n.option_values.v[i], &c->default_host_ip);
	nd_net_record_clear(&n);
}

int portmap_conf_parse(struct cni_ctx *ctx, struct portmap_conf *ret)
{
	int r;

	memset(ret, 0, sizeof(*ret));
	r = nd_conf_check_keys(ctx, ctx->conf, "", keys);
	if (r >= 0)
		r = nd_conf_addr(ctx, ctx->conf, "", "hostIP", &ret->default_host_ip);
	if (r < 0)
		return r;
	from_network_record(ctx, ret);
	for (size_t i = 0; ctx->prev_result && i < ctx->prev_result->n_ips; i++) {
		const struct nd_prefix *a = &ctx->prev_result->ips[i].address;
		char s[ND_PREFIX_STRLEN];

		/* A container's subnet is a network, never the whole address space. */
		if (a->len == 0)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"prevResult.ips[%zu].address %s is not a container address",
					i, nd_prefix_to_str(a, s));
		ret->subnets[ret->n_subnets++] = nd_prefix_network(a);
	}
	return 0;
}

static int host_ip_is_local(const struct nd_addr *a)
{
	struct ifaddrs *list = NULL;
	bool found = false;

	if (getifaddrs(&list) < 0)
		return -errno;
	for (struct ifaddrs *i = list; i && !found; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != a->family)
			continue;
		if (sa->sa_family == AF_INET)
			found = !memcmp(&((const struct sockaddr_in *)sa)->sin_addr, a->bytes, 4);
		else
			found = !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr, a->bytes,
					16);
	}
	freeifaddrs(list);
	return found;
}

static const struct nd_addr *target_of(const struct cni_ctx *ctx, int family)
{
	for (size_t i = 0; ctx->prev_result && i < ctx->prev_result->n_ips; i++)
		if (ctx->prev_result->ips[i].address.addr.family == family)
			return &ctx->prev_result->ips[i].address.addr;
	return NULL;
}

static int resolve_one(struct cni_ctx *ctx, const struct portmap_conf *c, size_t i,
		       struct portmap_entry *out, size_t *n)
{
	const struct cni_port_mapping *m = &ctx->rt.ports[i];
	struct nd_addr host = nd_addr_is_set(&m->host_ip) ? m->host_ip : c->default_host_ip;
	char a[ND_ADDR_STRLEN];

	for (int v6 = 0; v6 < 2; v6++) {
		int family = v6 ? AF_INET6 : AF_INET;
		const struct nd_addr *target = target_of(ctx, family);

		if ((nd_addr_is_set(&host) && host.family != family) || !target)
			continue;
		out[*n] = (struct portmap_entry){ .host_ip = host,
						  .family = family,
						  .proto = proto_number(m->protocol),
						  .host_port = m->host_port,
						  .target = *target,
						  .container_port = m->container_port,
						  .mapping = (unsigned)i };
		(*n)++;
	}
	if (nd_addr_is_set(&host) && host_ip_is_local(&host) <= 0)
		return cni_fail(
			ctx, ND_ERR_ADDR_NOT_LOCAL, -EADDRNOTAVAIL,
			"runtimeConfig.portMappings[%zu].hostIP %s is not an address of this "
			"host",
			i, nd_addr_to_str(&host, a));
	if (nd_addr_is_set(&host) && !target_of(ctx, host.family))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"runtimeConfig.portMappings[%zu].hostIP %s: the container has no "
				"address of that family",
				i, nd_addr_to_str(&host, a));
	return 0;
}

int portmap_entries(struct cni_ctx *ctx, const struct portmap_conf *c, struct portmap_entry **ret)
{
	_cleanup_(freep) struct portmap_entry *e = NULL;
	size_t n = 0;
	int r;

	if (!ctx->rt.n_ports) {
		*ret = NULL;
		return 0;
	}
	if (ctx->rt.n_ports > PORTMAP_MAX_MAPPINGS)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG,
				"runtimeConfig.portMappings has %zu entries, more than %d",
				ctx->rt.n_ports, PORTMAP_MAX_MAPPINGS);
	e = calloc(ctx->rt.n_ports * 2, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < ctx->rt.n_ports; i++) {
		r = resolve_one(ctx, c, i, e, &n);
		if (r < 0)
			return r;
	}
	*ret = steal_ptr(e);
	return (int)n;
}
