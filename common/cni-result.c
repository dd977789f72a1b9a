// SPDX-License-Identifier: MIT
/* CNI result <-> struct cni_result, for every supported spec version. */
#include "cni.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "json.h"
#include "conf.h"

static int too_many(struct cni_ctx *ctx, const char *path, const char *key, size_t max)
{
	return cni_fail(ctx, CNI_ERR_DECODE, -E2BIG, "%s.%s has more than %zu entries", path, key,
			max);
}

static int parse_iface(struct cni_ctx *ctx, const cJSON *o, const char *path, struct cni_iface *i)
{
	unsigned mtu = 0;
	int r;

	if (!cJSON_IsObject(o))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s must be an object", path);
	r = nd_conf_string_buf(ctx, o, path, "name", i->name, sizeof(i->name));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, o, path, "mac", i->mac, sizeof(i->mac));
	if (r >= 0)
		r = nd_conf_string_buf(ctx, o, path, "sandbox", i->sandbox, sizeof(i->sandbox));
	if (r >= 0)
		r = nd_conf_uint(ctx, o, path, "mtu", 0, 65535, &mtu);
	i->mtu = mtu;
	return r;
}

static int parse_ip(struct cni_ctx *ctx, const cJSON *o, const char *path, struct cni_ip *ip)
{
	const cJSON *iface;
	int r;

	ip->interface = -1;
	if (!cJSON_IsObject(o))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s must be an object", path);
	r = nd_conf_prefix(ctx, o, path, "address", false, &ip->address);
	if (r >= 0)
		r = nd_conf_addr(ctx, o, path, "gateway", &ip->gateway);
	if (r < 0)
		return r;
	if (!nd_addr_is_set(&ip->address.addr))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s.address is missing", path);
	iface = nd_json_get(o, "interface");
	if (iface && !cJSON_IsNumber(iface))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s.interface must be a number",
				path);
	if (iface) {
		if (iface->valuedouble < 0 || iface->valuedouble >= CNI_MAX_IFACES)
			return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL,
					"%s.interface is out of range", path);
		ip->interface = iface->valueint;
	}
	return 0;
}

static int parse_route(struct cni_ctx *ctx, const cJSON *o, const char *path, struct cni_route *rt)
{
	unsigned prio = 0;
	int r;

	if (!cJSON_IsObject(o))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s must be an object", path);
	r = nd_conf_prefix(ctx, o, path, "dst", false, &rt->dst);
	if (r >= 0)
		r = nd_conf_addr(ctx, o, path, "gw", &rt->gw);
	if (r >= 0)
		r = nd_conf_uint(ctx, o, path, "priority", 0, UINT32_MAX, &prio);
	if (r >= 0 && !nd_addr_is_set(&rt->dst.addr))
		r = cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s.dst is missing", path);
	rt->priority = (int)prio;
	return r;
}

/* Copies a list of strings into a fixed table of n entries of size width. */
static int parse_str_table(struct cni_ctx *ctx, const cJSON *o, const char *path, const char *key,
			   char *table, size_t width, size_t max, size_t *n)
{
	const cJSON *arr = NULL, *item;
	int r = nd_conf_array(ctx, o, path, key, &arr);

	if (r < 0 || !arr)
		return r;
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsString(item) || strlen(item->valuestring) >= width)
			return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL,
					"%s.%s[%zu] must be a string shorter than %zu", path, key,
					*n, width);
		if (*n == max)
			return too_many(ctx, path, key, max);
		strcpy(table + *n * width, item->valuestring);
		(*n)++;
	}
	return 0;
}

static int parse_dns(struct cni_ctx *ctx, const cJSON *o, const char *path, struct cni_dns *d)
{
	int r;

	if (!o)
		return 0;
	r = parse_str_table(ctx, o, path, "nameservers", &d->nameservers[0][0],
			    sizeof(d->nameservers[0]), CNI_MAX_DNS, &d->n_nameservers);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, o, path, "domain", d->domain, sizeof(d->domain));
	if (r >= 0)
		r = parse_str_table(ctx, o, path, "search", &d->search[0][0], sizeof(d->search[0]),
				    CNI_MAX_DNS, &d->n_search);
	if (r >= 0)
		r = parse_str_table(ctx, o, path, "options", &d->options[0][0],
				    sizeof(d->options[0]), CNI_MAX_DNS, &d->n_options);
	return r;
}

#define PARSE_LIST(ctx, json, path, key, arr, n, max, fn)                               \
	({                                                                              \
		const cJSON *_list = NULL, *_it;                                        \
		char _p[128];                                                           \
		int _r = nd_conf_array(ctx, json, path, key, &_list);                   \
		cJSON_ArrayForEach(_it, _list)                                          \
		{                                                                       \
			if (_r < 0)                                                     \
				break;                                                  \
			if ((n) == (max)) {                                             \
				_r = too_many(ctx, path, key, max);                     \
				break;                                                  \
			}                                                               \
			snprintf(_p, sizeof(_p), "%s.%s[%zu]", path, key, (size_t)(n)); \
			_r = fn(ctx, _it, _p, &(arr)[(n)]);                             \
			if (_r >= 0)                                                    \
				(n)++;                                                  \
		}                                                                       \
		_r;                                                                     \
	})

int cni_result_parse(struct cni_ctx *ctx, const cJSON *json, const char *path,
		     struct cni_result *ret)
{
	struct cni_result *r = ret;
	const cJSON *dns = NULL;
	int e;

	memset(r, 0, sizeof(*r));
	if (!cJSON_IsObject(json))
		return cni_fail(ctx, CNI_ERR_DECODE, -EINVAL, "%s must be an object", path);
	e = PARSE_LIST(ctx, json, path, "interfaces", r->interfaces, r->n_interfaces,
		       CNI_MAX_IFACES, parse_iface);
	if (e >= 0)
		e = PARSE_LIST(ctx, json, path, "ips", r->ips, r->n_ips, CNI_MAX_IPS, parse_ip);
	if (e >= 0)
		e = PARSE_LIST(ctx, json, path, "routes", r->routes, r->n_routes, CNI_MAX_ROUTES,
			       parse_route);
	if (e >= 0)
		e = nd_conf_object(ctx, json, path, "dns", &dns);
	if (e >= 0)
		e = parse_dns(ctx, dns, path, &r->dns);
	return e;
}

int cni_result_parse_text(struct cni_ctx *ctx, const char *text, const char *who,
			  struct cni_result *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *json = cJSON_Parse(text);

	if (!json)
		return cni_fail(ctx, ND_ERR_DELEGATE, -EINVAL,
				"%s printed a result that is not JSON", who);
	return cni_result_parse(ctx, json, who, ret);
}

static cJSON *format_iface(const struct cni_ctx *ctx, const struct cni_iface *i)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", i->name);
	if (i->mac[0])
		cJSON_AddStringToObject(o, "mac", i->mac);
	if (i->mtu && cni_version_at_least(ctx, 1, 1, 0))
		cJSON_AddNumberToObject(o, "mtu", i->mtu);
	if (i->sandbox[0])
		cJSON_AddStringToObject(o, "sandbox", i->sandbox);
	return o;
}

static cJSON *format_ip(const struct cni_ctx *ctx, const struct cni_ip *ip)
{
	char buf[ND_PREFIX_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (!cni_version_at_least(ctx, 1, 0, 0))
		cJSON_AddStringToObject(o, "version",
					ip->address.addr.family == AF_INET6 ? "6" : "4");
	cJSON_AddStringToObject(o, "address", nd_prefix_to_str(&ip->address, buf));
	if (nd_addr_is_set(&ip->gateway))
		cJSON_AddStringToObject(o, "gateway", nd_addr_to_str(&ip->gateway, buf));
	if (ip->interface >= 0)
		cJSON_AddNumberToObject(o, "interface", ip->interface);
	return o;
}

static cJSON *format_route(const struct cni_ctx *ctx, const struct cni_route *rt)
{
	char buf[ND_PREFIX_STRLEN];
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "dst", nd_prefix_to_str(&rt->dst, buf));
	if (nd_addr_is_set(&rt->gw))
		cJSON_AddStringToObject(o, "gw", nd_addr_to_str(&rt->gw, buf));
	if (rt->priority && cni_version_at_least(ctx, 1, 1, 0))
		cJSON_AddNumberToObject(o, "priority", rt->priority);
	return o;
}

static void add_str_table(cJSON *o, const char *key, const char *table, size_t width, size_t n)
{
	cJSON *arr;

	if (!n)
		return;
	arr = cJSON_AddArrayToObject(o, key);
	for (size_t i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(table + i * width));
}

static cJSON *format_dns(const struct cni_dns *d)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_str_table(o, "nameservers", &d->nameservers[0][0], sizeof(d->nameservers[0]),
		      d->n_nameservers);
	if (d->domain[0])
		cJSON_AddStringToObject(o, "domain", d->domain);
	add_str_table(o, "search", &d->search[0][0], sizeof(d->search[0]), d->n_search);
	add_str_table(o, "options", &d->options[0][0], sizeof(d->options[0]), d->n_options);
	return o;
}

#define FORMAT_LIST(ctx, root, key, arr, n, fn)                             \
	do {                                                                \
		cJSON *_a = (n) ? cJSON_AddArrayToObject(root, key) : NULL; \
		for (size_t _i = 0; _a && _i < (n); _i++)                   \
			cJSON_AddItemToArray(_a, fn(ctx, &(arr)[_i]));      \
	} while (0)

char *cni_result_format(const struct cni_ctx *ctx, const struct cni_result *r)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "cniVersion", ctx->cni_version);
	FORMAT_LIST(ctx, o, "interfaces", r->interfaces, r->n_interfaces, format_iface);
	FORMAT_LIST(ctx, o, "ips", r->ips, r->n_ips, format_ip);
	FORMAT_LIST(ctx, o, "routes", r->routes, r->n_routes, format_route);
	cJSON_AddItemToObject(o, "dns", format_dns(&r->dns));
	return cJSON_PrintUnformatted(o);
}
