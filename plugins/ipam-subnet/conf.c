// SPDX-License-Identifier: MIT
/* The "ipam" object: netdock's "subnets" form and host-local's "ranges" form, validated up front. */
#include "ipam.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "rundir.h"

static const char *const ipam_keys[] = {
	"type",	      "subnets", "ranges", "subnet",	"rangeStart",
	"rangeEnd",   "gateway", "routes", "dataDir",	"defaultPools",
	"resolvConf", "dns",	 "store",  "blockSize", NULL,
};
static const char *const subnet_keys[] = { "subnet", "gateway", "ipRange", "auxAddresses", NULL };
static const char *const hostlocal_keys[] = { "subnet", "rangeStart", "rangeEnd", "gateway", NULL };

bool ipam_range_excluded(const struct ipam_range *r, const struct nd_addr *a)
{
	struct nd_prefix net = nd_prefix_network(&r->subnet);
	struct nd_addr bcast = nd_prefix_last(&r->subnet);

	if (nd_addr_cmp(a, &r->first) < 0 || nd_addr_cmp(a, &r->last) > 0)
		return true;
	if (nd_addr_equal(a, &r->gateway))
		return true;
	/* /31 and /32 (RFC 3021) and IPv6 /127+ have no network or broadcast address. */
	if (nd_addr_bits(a) - r->subnet.len >= 2) {
		if (nd_addr_equal(a, &net.addr))
			return true;
		if (a->family == AF_INET && nd_addr_equal(a, &bcast))
			return true;
	}
	for (size_t i = 0; i < r->n_aux; i++)
		if (nd_addr_equal(a, &r->aux[i].addr))
			return true;
	return false;
}

static bool range_has_room(const struct ipam_range *r)
{
	uint64_t span = nd_addr_distance(&r->first, &r->last);
	struct nd_addr a = r->first;

	/* Only small ranges can be all exclusions: network, broadcast, gateway and aux. */
	if (span > r->n_aux + 4)
		return true;
	for (uint64_t i = 0; i <= span; i++, a = nd_addr_add(&a, 1))
		if (!ipam_range_excluded(r, &a))
			return true;
	return false;
}

static int inside(struct cni_ctx *ctx, const struct ipam_range *r, const char *field,
		  const struct nd_addr *a)
{
	char as[ND_ADDR_STRLEN], ss[ND_PREFIX_STRLEN];

	if (!nd_addr_is_set(a) || nd_prefix_contains(&r->subnet, a))
		return 0;
	return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s.%s %s is outside subnet %s",
			r->path, field, nd_addr_to_str(a, as), nd_prefix_to_str(&r->subnet, ss));
}

/*
 * Address blocks no container subnet may overlap: the kernel refuses their
 * addresses on an interface, or they mean something else (RFC 6890).
 */
static int reserved_check(struct cni_ctx *ctx, const struct ipam_range *r)
{
	static const struct {
		const char *prefix, *what;
	} reserved[] = {
		{ "0.0.0.0/8", "\"this network\"" },
		{ "127.0.0.0/8", "loopback" },
		{ "224.0.0.0/4", "multicast" },
		{ "240.0.0.0/4", "reserved and broadcast" },
		{ "::/127", "unspecified and loopback" },
		{ "::ffff:0:0/96", "IPv4-mapped" },
		{ "ff00::/8", "multicast" },
	};
	char ss[ND_PREFIX_STRLEN];

	for (size_t i = 0; i < ND_ARRAY_SIZE(reserved); i++) {
		struct nd_prefix p;

		if (nd_prefix_parse(reserved[i].prefix, &p) < 0 ||
		    p.addr.family != r->subnet.addr.family || !nd_prefix_overlaps(&p, &r->subnet))
			continue;
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s.subnet %s overlaps %s (%s addresses)", r->path,
				nd_prefix_to_str(&r->subnet, ss), reserved[i].prefix,
				reserved[i].what);
	}
	return 0;
}

int ipam_range_finish(struct cni_ctx *ctx, struct ipam_range *r)
{
	struct nd_prefix net = nd_prefix_network(&r->subnet);
	char ss[ND_PREFIX_STRLEN];
	int e = reserved_check(ctx, r);

	if (e < 0)
		return e;
	if (!nd_addr_is_set(&r->first))
		r->first = net.addr;
	if (!nd_addr_is_set(&r->last))
		r->last = nd_prefix_last(&r->subnet);
	/* Docker's default gateway: the subnet's first address. */
	if (!nd_addr_is_set(&r->gateway) && nd_addr_bits(&net.addr) - net.len >= 2)
		r->gateway = nd_addr_add(&net.addr, 1);
	e = inside(ctx, r, "gateway", &r->gateway);
	if (e >= 0)
		e = inside(ctx, r, "rangeStart", &r->first);
	if (e >= 0)
		e = inside(ctx, r, "rangeEnd", &r->last);
	for (size_t i = 0; e >= 0 && i < r->n_aux; i++)
		e = inside(ctx, r, "auxAddresses", &r->aux[i].addr);
	if (e < 0)
		return e;
	if (nd_addr_cmp(&r->first, &r->last) > 0)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s: rangeStart is after rangeEnd", r->path);
	if (!range_has_room(r))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s: subnet %s has no address left to hand out", r->path,
				nd_prefix_to_str(&r->subnet, ss));
	return 0;
}

static int parse_ip_range(struct cni_ctx *ctx, const cJSON *o, struct ipam_range *r)
{
	struct nd_prefix ipr = { .len = 0 };
	char ps[ND_PREFIX_STRLEN], ss[ND_PREFIX_STRLEN];
	int e = nd_conf_prefix(ctx, o, r->path, "ipRange", true, &ipr);

	if (e < 0 || !nd_addr_is_set(&ipr.addr))
		return e;
	if (ipr.len < r->subnet.len || !nd_prefix_contains(&r->subnet, &ipr.addr))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s.ipRange %s is outside subnet %s", r->path,
				nd_prefix_to_str(&ipr, ps), nd_prefix_to_str(&r->subnet, ss));
	r->first = ipr.addr;
	r->last = nd_prefix_last(&ipr);
	return 0;
}

static int parse_aux(struct cni_ctx *ctx, const cJSON *o, struct ipam_range *r)
{
	const cJSON *aux = NULL, *it;
	char path[80];
	int e = nd_conf_object(ctx, o, r->path, "auxAddresses", &aux);

	snprintf(path, sizeof(path), "%s.auxAddresses", r->path);
	cJSON_ArrayForEach(it, aux)
	{
		struct ipam_aux *a = &r->aux[r->n_aux];

		if (e < 0)
			return e;
		if (r->n_aux == IPAM_MAX_AUX)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG,
					"%s has more than %d entries", path, IPAM_MAX_AUX);
		snprintf(a->name, sizeof(a->name), "%s", it->string);
		e = nd_conf_addr(ctx, aux, path, it->string, &a->addr);
		r->n_aux++;
	}
	return e;
}

static int set_of_family(struct ipam_conf *c, int family)
{
	for (size_t i = 0; i < c->n_ranges; i++)
		if (c->ranges[i].subnet.addr.family == family)
			return (int)c->ranges[i].set;
	return (int)c->n_sets++;
}

static struct ipam_range *range_new(struct cni_ctx *ctx, struct ipam_conf *c, const char *path)
{
	struct ipam_range *r;

	if (c->n_ranges == IPAM_MAX_RANGES) {
		cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG, "ipam has more than %d subnets",
			 IPAM_MAX_RANGES);
		return NULL;
	}
	r = &c->ranges[c->n_ranges];
	memset(r, 0, sizeof(*r));
	snprintf(r->path, sizeof(r->path), "%s", path);
	return r;
}

static int parse_subnet(struct cni_ctx *ctx, struct ipam_conf *c, const cJSON *o, size_t i)
{
	char path[48];
	struct ipam_range *r;
	int e;

	snprintf(path, sizeof(path), "ipam.subnets[%zu]", i);
	r = range_new(ctx, c, path);
	if (!r)
		return -E2BIG;
	if (!cJSON_IsObject(o))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s must be an object", path);
	e = nd_conf_check_keys(ctx, o, path, subnet_keys);
	if (e >= 0)
		e = nd_conf_prefix(ctx, o, path, "subnet", true, &r->subnet);
	if (e >= 0 && !nd_addr_is_set(&r->subnet.addr))
		e = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s.subnet is missing", path);
	if (e >= 0)
		e = nd_conf_addr(ctx, o, path, "gateway", &r->gateway);
	if (e >= 0)
		e = parse_ip_range(ctx, o, r);
	if (e >= 0)
		e = parse_aux(ctx, o, r);
	if (e < 0)
		return e;
	r->set = (unsigned)set_of_family(c, r->subnet.addr.family);
	c->n_ranges++;
	return ipam_range_finish(ctx, r);
}

/* host-local: {subnet, rangeStart, rangeEnd, gateway}, one address per inner list. */
static int parse_hostlocal(struct cni_ctx *ctx, struct ipam_conf *c, const cJSON *o,
			   const char *path, unsigned set)
{
	struct ipam_range *r = range_new(ctx, c, path);
	int e;

	if (!r)
		return -E2BIG;
	e = nd_conf_check_keys(ctx, o, path, hostlocal_keys);
	if (e >= 0)
		e = nd_conf_prefix(ctx, o, path, "subnet", false, &r->subnet);
	if (e >= 0 && !nd_addr_is_set(&r->subnet.addr))
		e = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s.subnet is missing", path);
	if (e >= 0)
		e = nd_conf_addr(ctx, o, path, "gateway", &r->gateway);
	if (e >= 0)
		e = nd_conf_addr(ctx, o, path, "rangeStart", &r->first);
	if (e >= 0)
		e = nd_conf_addr(ctx, o, path, "rangeEnd", &r->last);
	if (e < 0)
		return e;
	r->set = set;
	c->n_ranges++;
	return ipam_range_finish(ctx, r);
}

static int parse_ranges(struct cni_ctx *ctx, struct ipam_conf *c, const cJSON *ipam)
{
	const cJSON *subnets = NULL, *ranges = NULL, *it, *inner;
	size_t i = 0;
	int e = nd_conf_array(ctx, ipam, "ipam", "subnets", &subnets);

	if (e >= 0)
		e = nd_conf_array(ctx, ipam, "ipam", "ranges", &ranges);
	cJSON_ArrayForEach(it, subnets)
	{
		if (e >= 0)
			e = parse_subnet(ctx, c, it, i++);
	}
	cJSON_ArrayForEach(it, ranges)
	{
		size_t j = 0;

		if (e >= 0 && !cJSON_IsArray(it))
			e = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				     "ipam.ranges[%u] must be a list of ranges", c->n_sets);
		cJSON_ArrayForEach(inner, it)
		{
			char path[48];

			snprintf(path, sizeof(path), "ipam.ranges[%u][%zu]", c->n_sets, j++);
			if (e >= 0)
				e = parse_hostlocal(ctx, c, inner, path, c->n_sets);
		}
		c->n_sets++;
	}
	if (e >= 0 && nd_json_get(ipam, "subnet"))
		e = parse_hostlocal(ctx, c, ipam, "ipam", c->n_sets++);
	return e;
}

static int parse_routes(struct cni_ctx *ctx, struct ipam_conf *c, const cJSON *ipam)
{
	const cJSON *routes = NULL, *it;
	int e = nd_conf_array(ctx, ipam, "ipam", "routes", &routes);

	cJSON_ArrayForEach(it, routes)
	{
		struct cni_route *rt = &c->routes[c->n_routes];
		char path[32];

		if (e < 0)
			return e;
		if (c->n_routes == IPAM_MAX_ROUTES)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG,
					"ipam.routes has more than %d entries", IPAM_MAX_ROUTES);
		snprintf(path, sizeof(path), "ipam.routes[%zu]", c->n_routes);
		memset(rt, 0, sizeof(*rt));
		e = nd_conf_prefix(ctx, it, path, "dst", false, &rt->dst);
		if (e >= 0)
			e = nd_conf_addr(ctx, it, path, "gw", &rt->gw);
		if (e >= 0 && !nd_addr_is_set(&rt->dst.addr))
			e = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s.dst is missing",
				     path);
		c->n_routes++;
	}
	return e;
}

/* Docker's defaults: 172.17-31.0.0/16, then 192.168.0.0/16 cut in /20s. */
static void default_pools(struct ipam_conf *c)
{
	nd_prefix_parse("172.17.0.0/16", &c->pools[0].base);
	c->pools[0].size = 16;
	for (int i = 1; i < 15; i++) {
		c->pools[i] = c->pools[0];
		c->pools[i].base.addr.bytes[1] = (uint8_t)(17 + i);
	}
	nd_prefix_parse("192.168.0.0/16", &c->pools[15].base);
	c->pools[15].size = 20;
	c->n_pools = 16;
}

static int parse_pools(struct cni_ctx *ctx, struct ipam_conf *c, const cJSON *ipam)
{
	const cJSON *pools = NULL, *it;
	int e = nd_conf_array(ctx, ipam, "ipam", "defaultPools", &pools);

	if (e < 0 || !pools) {
		default_pools(c);
		return e;
	}
	cJSON_ArrayForEach(it, pools)
	{
		struct ipam_pool *p = &c->pools[c->n_pools];
		char path[40];

		snprintf(path, sizeof(path), "ipam.defaultPools[%zu]", c->n_pools);
		if (c->n_pools == IPAM_MAX_POOLS)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -E2BIG,
					"ipam.defaultPools has more than %d entries",
					IPAM_MAX_POOLS);
		e = nd_conf_prefix(ctx, it, path, "base", true, &p->base);
		if (e >= 0)
			e = nd_conf_uint(ctx, it, path, "size", p->base.len, 30, &p->size);
		if (e < 0)
			return e;
		if (!p->size || p->base.addr.family != AF_INET)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"%s needs an IPv4 base and a size", path);
		c->n_pools++;
	}
	return 0;
}

int ipam_conf_parse(struct cni_ctx *ctx, struct ipam_conf *ret)
{
	const cJSON *ipam = NULL;
	const char *data_dir = NULL;
	int e = nd_conf_object(ctx, ctx->conf, "", "ipam", &ipam);

	memset(ret, 0, sizeof(*ret));
	if (e >= 0 && !ipam)
		e = cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "ipam is missing");
	if (e >= 0)
		e = nd_conf_check_keys(ctx, ipam, "ipam", ipam_keys);
	if (e >= 0)
		e = nd_dir_conf(ctx, ipam, "ipam", "dataDir", &data_dir);
	if (e >= 0)
		e = parse_ranges(ctx, ret, ipam);
	if (e >= 0)
		e = parse_routes(ctx, ret, ipam);
	if (e >= 0)
		e = parse_pools(ctx, ret, ipam);
	if (e < 0)
		return e;
	snprintf(ret->lib_dir, sizeof(ret->lib_dir), "%s", nd_lib_dir_path(data_dir));
	ret->want_auto = ret->n_ranges == 0;
	return 0;
}
