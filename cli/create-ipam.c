// SPDX-License-Identifier: MIT
/*
 * --subnet, --gateway, --ip-range and --aux-address paired up as Docker's
 * CLI does (consolidateIpam), into ipam-subnet's "subnets" list.
 */
#include "create.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* Index of the one subnet holding a, or -1. */
static int subnet_of(const struct nd_prefix *subs, size_t n, const struct nd_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (nd_prefix_contains(&subs[i], a))
			return (int)i;
	return -1;
}

/*
 * --ip-range (a prefix, key ipRange) or --gateway (an address, key gateway):
 * each goes to the subnet holding it, one per subnet, in Docker's words.
 */
static int add_per_subnet(cJSON *items, const struct nd_prefix *subs, size_t n,
			  const struct nd_strv *values, bool range)
{
	const char *key = range ? "ipRange" : "gateway";

	nd_strv_foreach(s, values) {
		struct nd_prefix p;
		int r = range ? nd_prefix_parse(s, &p) : nd_addr_parse(s, &p.addr);
		int i = r < 0 ? -1 : subnet_of(subs, n, &p.addr);
		cJSON *item = cJSON_GetArrayItem(items, i), *old;

		if (i < 0)
			return cli_fail("no matching subnet for %s %s", range ? "range" : "gateway",
					s);
		old = cJSON_GetObjectItemCaseSensitive(item, key);
		if (old)
			return cli_fail(
				"cannot configure multiple %s (%s, %s) %s the same subnet (%s)",
				range ? "ranges" : "gateways", s, old->valuestring,
				range ? "on" : "for",
				cJSON_GetObjectItem(item, "subnet")->valuestring);
		cJSON_AddStringToObject(item, key, s);
	}
	return 0;
}

static int add_aux(cJSON *items, const struct nd_prefix *subs, size_t n, const struct nd_strv *aux)
{
	nd_strv_foreach(s, aux) {
		const char *eq = strchr(s, '=');
		const char *ip = eq ? eq + 1 : "";
		struct nd_addr a;
		int i = !eq || eq == s || nd_addr_parse(ip, &a) < 0 ? -1 : subnet_of(subs, n, &a);
		cJSON *item = cJSON_GetArrayItem(items, i), *map;
		char key[128];

		if (i < 0)
			return cli_fail("no matching subnet for aux-address %s", ip);
		snprintf(key, sizeof(key), "%.*s", (int)(eq - s), s);
		map = cJSON_GetObjectItemCaseSensitive(item, "auxAddresses");
		if (!map)
			map = cJSON_AddObjectToObject(item, "auxAddresses");
		cJSON_DeleteItemFromObjectCaseSensitive(map, key);
		cJSON_AddStringToObject(map, key, ip);
	}
	return 0;
}

int create_ipam(const struct create_args *a, cJSON *items, struct create_ipam_info *info)
{
	struct nd_prefix subs[64];
	size_t n = 0;
	int r;

	if (a->subnets.n < a->ranges.n || a->subnets.n < a->gateways.n)
		return cli_fail("every ip-range or gateway must have a corresponding subnet");
	nd_strv_foreach(s, &a->subnets) {
		char buf[ND_PREFIX_STRLEN];
		cJSON *item;

		if (n == ND_ARRAY_SIZE(subs))
			return cli_fail("too many subnets (at most %zu)", ND_ARRAY_SIZE(subs));
		if (nd_prefix_parse(s, &subs[n]) < 0)
			return cli_fail("Invalid subnet %s : invalid CIDR address: %s", s, s);
		for (size_t j = 0; j < n; j++)
			if (nd_prefix_overlaps(&subs[j], &subs[n]))
				return cli_fail(
					"multiple overlapping subnet configuration is not supported");
		if (subs[n].addr.family == AF_INET)
			info->n_v4++;
		else
			info->n_v6++;
		/* Docker keeps the subnet as given; the registry wants the network address. */
		subs[n] = nd_prefix_network(&subs[n]);
		item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "subnet", nd_prefix_to_str(&subs[n], buf));
		cJSON_AddItemToArray(items, item);
		n++;
	}
	r = add_per_subnet(items, subs, n, &a->ranges, true);
	if (r == 0)
		r = add_per_subnet(items, subs, n, &a->gateways, false);
	if (r == 0)
		r = add_aux(items, subs, n, &a->aux);
	return r;
}
