// SPDX-License-Identifier: MIT
/* Bridge config: the reference plugin's keys, netdock's, and Docker's com.docker.network.* options. */
#include "bridge.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

static const char *const root_keys[] = {
	"cniVersion",
	"name",
	"type",
	"ipam",
	"dns",
	"args",
	"runtimeConfig",
	"capabilities",
	"prevResult",
	"bridge",
	"isGateway",
	"isDefaultGateway",
	"forceAddress",
	"ipMasq",
	"mtu",
	"hairpinMode",
	"promiscMode",
	"mcastSnooping",
	"vlan",
	"vlanTrunk",
	"preserveDefaultVlan",
	"enabledad",
	"macspoofchk",
	"portIsolation",
	"internal",
	"ipv6",
	"embeddedDNS",
	"options",
	"runDir",
	"hostIP",
	"disableContainerInterface",
	NULL,
};
static const char *const dns_keys[] = { "enabled", "names", "domain", "servers", NULL };

#define OPT_PREFIX "com.docker.network."

static int parse_options(struct cni_ctx *ctx, struct bridge_conf *c)
{
	const cJSON *opts = NULL, *it;
	const char *p = "options";
	int r = nd_conf_object(ctx, ctx->conf, "", "options", &opts);

	cJSON_ArrayForEach(it, opts)
	{
		if (r < 0)
			return r;
		const char *v = NULL;

		/* Type and control characters checked as for any string. */
		if (nd_conf_string(ctx, opts, p, it->string, &v) < 0)
			return -EINVAL;
		if (!cJSON_IsString(it))
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"options.%s must be a string", it->string);
		r = nd_strv_push(&c->option_keys, it->string);
		if (r >= 0)
			r = nd_strv_push(&c->option_values, it->valuestring);
	}
	if (r < 0)
		return r;
	r = nd_conf_string_buf(ctx, opts, p, OPT_PREFIX "bridge.name", c->bridge,
			       sizeof(c->bridge));
	if (r >= 0)
		r = nd_conf_bool(ctx, opts, p, OPT_PREFIX "bridge.enable_ip_masquerade",
				 &c->ip_masq);
	if (r >= 0)
		r = nd_conf_bool(ctx, opts, p, OPT_PREFIX "bridge.enable_icc", &c->icc);
	if (r >= 0)
		r = nd_conf_uint(ctx, opts, p, OPT_PREFIX "driver.mtu", 68, 65535, &c->mtu);
	if (r >= 0)
		r = nd_conf_bool(ctx, opts, p, OPT_PREFIX "internal", &c->internal);
	if (r >= 0) {
		bool default_bridge = false;

		r = nd_conf_bool(ctx, opts, p, OPT_PREFIX "bridge.default_bridge", &default_bridge);
		/* The seeds' default network: links resolve, names and aliases do not. */
		if (default_bridge)
			c->dns.names = false;
	}
	return r;
}

static int parse_dns(struct cni_ctx *ctx, struct bridge_conf *c)
{
	const cJSON *d = NULL, *servers = NULL, *it;
	const char *p = "embeddedDNS";
	int r = nd_conf_object(ctx, ctx->conf, "", p, &d);

	if (r >= 0 && d)
		r = nd_conf_check_keys(ctx, d, p, dns_keys);
	if (r >= 0)
		r = nd_conf_bool(ctx, d, p, "enabled", &c->dns.enabled);
	if (r >= 0)
		r = nd_conf_bool(ctx, d, p, "names", &c->dns.names);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, d, p, "domain", c->dns.domain, sizeof(c->dns.domain));
	if (r >= 0)
		r = nd_conf_array(ctx, d, p, "servers", &servers);
	cJSON_ArrayForEach(it, servers)
	{
		if (r < 0)
			return r;
		if (c->dns.n_servers == ND_RECORD_MAX_SERVERS || !cJSON_IsString(it) ||
		    nd_addr_parse(it->valuestring, &c->dns.servers[c->dns.n_servers]) < 0)
			return cni_fail(
				ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"embeddedDNS.servers[%zu] must be an IP address (at most %d)",
				c->dns.n_servers, ND_RECORD_MAX_SERVERS);
		c->dns.n_servers++;
	}
	return r;
}

static int parse_flags(struct cni_ctx *ctx, struct bridge_conf *c)
{
	bool port_isolation = false;
	int r;

	r = nd_conf_string_buf(ctx, ctx->conf, "", "bridge", c->bridge, sizeof(c->bridge));
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "isGateway", &c->is_gateway);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "ipMasq", &c->ip_masq);
	if (r >= 0)
		r = nd_conf_uint(ctx, ctx->conf, "", "mtu", 68, 65535, &c->mtu);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "hairpinMode", &c->hairpin);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "promiscMode", &c->promisc);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "mcastSnooping", &c->mcast_snooping);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "portIsolation", &port_isolation);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "internal", &c->internal);
	if (r >= 0)
		r = nd_conf_bool(ctx, ctx->conf, "", "ipv6", &c->ipv6);
	if (port_isolation)
		c->icc = false;
	return r;
}

static int parse_ipam_type(struct cni_ctx *ctx, struct bridge_conf *c)
{
	const cJSON *ipam = NULL;
	int r = nd_conf_object(ctx, ctx->conf, "", "ipam", &ipam);

	if (r >= 0)
		r = nd_conf_string_buf(ctx, ipam, "ipam", "type", c->ipam_type,
				       sizeof(c->ipam_type));
	if (r >= 0 && !c->ipam_type[0])
		r = cni_fail(
			ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			"ipam.type is missing (a bridge needs an IPAM plugin, e.g. ipam-subnet)");
	return r;
}

int bridge_conf_parse(struct cni_ctx *ctx, struct bridge_conf *ret)
{
	struct bridge_conf *c = ret;
	int r;

	*c = (struct bridge_conf){ .is_gateway = true,
				   .ip_masq = true,
				   .icc = true,
				   .dns = { .enabled = true, .names = true } };
	strcpy(c->dns.domain, ND_DNS_DOMAIN_DEFAULT);
	r = nd_conf_check_keys(ctx, ctx->conf, "", root_keys);
	if (r >= 0)
		r = parse_flags(ctx, c);
	if (r >= 0)
		r = parse_options(ctx, c);
	if (r >= 0)
		r = parse_dns(ctx, c);
	if (r >= 0)
		r = parse_ipam_type(ctx, c);
	if (r >= 0 && !c->bridge[0])
		bridge_name_derive(ctx->net_name, c->bridge);
	if (r >= 0 && !cni_ifname_valid(c->bridge))
		r = cni_fail(
			ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			"bridge \"%s\" is not a valid interface name (1 to %d bytes, not \".\" "
			"or \"..\", no '/', ':' or white space)",
			c->bridge, IFNAMSIZ - 1);
	if (r < 0)
		bridge_conf_clear(c);
	return r;
}

void bridge_conf_clear(struct bridge_conf *c)
{
	nd_strv_clear(&c->option_keys);
	nd_strv_clear(&c->option_values);
}
