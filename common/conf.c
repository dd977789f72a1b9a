// SPDX-License-Identifier: MIT
/* cJSON getters that turn a wrong type into CNI error 7 with the JSON path. */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "json.h"

#define SEP(path) ((path)[0] ? "." : "")

static const cJSON *lookup(const cJSON *obj, const char *key)
{
	return nd_json_get(obj, key);
}

/* A typed value given as "" is Go's zero value for "not set". */
static const cJSON *lookup_typed(const cJSON *obj, const char *key)
{
	const cJSON *v = lookup(obj, key);

	return cJSON_IsString(v) && !v->valuestring[0] ? NULL : v;
}

/* Names the value too ("mtu must be a whole number, not \"huge\""), cut to fit a message. */
static int type_error(struct cni_ctx *ctx, const char *path, const char *key, const char *what,
		      const cJSON *v)
{
	_cleanup_(freep) char *text = v ? cJSON_PrintUnformatted(v) : NULL;

	return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s%s%s must be %s, not %.64s%s",
			path, SEP(path), key, what, text ? text : "?",
			text && strlen(text) > 64 ? "..." : "");
}

int nd_conf_string(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   const char **ret)
{
	const cJSON *v = lookup(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsString(v))
		return type_error(ctx, path, key, "a string", v);
	/*
	 * No netdock string may hold a control character; a NUL arrives as
	 * U+FFFF (cni.c guards "\u0000", which cJSON would cut the string at).
	 */
	for (const unsigned char *p = (const unsigned char *)v->valuestring; *p; p++) {
		int at = (int)(p - (const unsigned char *)v->valuestring);

		if (p[0] == 0xef && p[1] == 0xbf && p[2] == 0xbf)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"%s%s%s \"%.*s...\" holds a NUL (\\u0000) at byte %d", path,
					SEP(path), key, at < 64 ? at : 64, v->valuestring, at);
		if (*p < 0x20 || *p == 0x7f)
			return cni_fail(
				ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s \"%.*s...\" holds control character 0x%02x at byte %d",
				path, SEP(path), key, at < 64 ? at : 64, v->valuestring, *p, at);
	}
	*ret = v->valuestring;
	return 0;
}

int nd_conf_string_buf(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		       char *buf, size_t size)
{
	const char *s = NULL;
	int r = nd_conf_string(ctx, obj, path, key, &s);

	if (r < 0 || !s)
		return r;
	if (strlen(s) >= size)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s is longer than %zu characters", path, SEP(path), key,
				size - 1);
	strcpy(buf, s);
	return 0;
}

int nd_conf_bool(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 bool *ret)
{
	const cJSON *v = lookup_typed(obj, key);

	if (!v)
		return 0;
	if (cJSON_IsBool(v)) {
		*ret = cJSON_IsTrue(v);
		return 0;
	}
	if (cJSON_IsString(v)) {
		if (!strcmp(v->valuestring, "true") || !strcmp(v->valuestring, "1")) {
			*ret = true;
			return 0;
		}
		if (!strcmp(v->valuestring, "false") || !strcmp(v->valuestring, "0")) {
			*ret = false;
			return 0;
		}
	}
	return type_error(ctx, path, key, "true or false", v);
}

static bool parse_decimal(const char *s, unsigned long long *ret)
{
	unsigned long long v = 0;

	if (!*s || strlen(s) > 12)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*ret = v;
	return true;
}

int nd_conf_uint(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 unsigned min, unsigned max, unsigned *ret)
{
	const cJSON *v = lookup_typed(obj, key);
	unsigned long long n;

	if (!v)
		return 0;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 4294967295.0 &&
	    v->valuedouble == (double)(unsigned long long)v->valuedouble)
		n = (unsigned long long)v->valuedouble;
	else if (!cJSON_IsString(v) || !parse_decimal(v->valuestring, &n))
		return type_error(ctx, path, key, "a whole number", v);
	if (n < min || n > max)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -ERANGE,
				"%s%s%s %llu is out of range %u..%u", path, SEP(path), key, n, min,
				max);
	*ret = (unsigned)n;
	return 0;
}

int nd_conf_addr(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 struct nd_addr *ret)
{
	const char *s = NULL;
	int r = nd_conf_string(ctx, obj, path, key, &s);

	if (r < 0 || !s || !*s)
		return r;
	if (nd_addr_parse(s, ret) < 0)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s \"%s\" is not an IPv4 or IPv6 address", path, SEP(path),
				key, s);
	return 0;
}

int nd_conf_prefix(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   bool network_only, struct nd_prefix *ret)
{
	const char *s = NULL;
	struct nd_prefix p;
	char net[ND_PREFIX_STRLEN];
	int r = nd_conf_string(ctx, obj, path, key, &s);

	if (r < 0 || !s || !*s)
		return r;
	if (nd_prefix_parse(s, &p) < 0)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s \"%s\" is not a CIDR (address/length)", path, SEP(path),
				key, s);
	if (network_only && !nd_prefix_is_network(&p)) {
		struct nd_prefix n = nd_prefix_network(&p);

		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s %s has host bits set; did you mean %s?", path, SEP(path),
				key, s, nd_prefix_to_str(&n, net));
	}
	*ret = p;
	return 0;
}

int nd_conf_object(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   const cJSON **ret)
{
	const cJSON *v = lookup(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsObject(v))
		return type_error(ctx, path, key, "an object", v);
	*ret = v;
	return 0;
}

int nd_conf_array(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		  const cJSON **ret)
{
	const cJSON *v = lookup(obj, key);

	if (!v)
		return 0;
	if (!cJSON_IsArray(v))
		return type_error(ctx, path, key, "a list", v);
	*ret = v;
	return 0;
}

int nd_conf_strv(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 struct nd_strv *ret)
{
	const cJSON *arr = NULL, *item;
	size_t i = 0;
	int r = nd_conf_array(ctx, obj, path, key, &arr);

	if (r < 0 || !arr)
		return r;
	cJSON_ArrayForEach(item, arr)
	{
		if (!cJSON_IsString(item))
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"%s%s%s[%zu] must be a string", path, SEP(path), key, i);
		r = nd_strv_push_unique(ret, item->valuestring);
		if (r < 0)
			return r;
		i++;
	}
	return 0;
}

unsigned nd_edit_distance(const char *a, const char *b, unsigned limit)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned row[64];

	if (lb >= ND_ARRAY_SIZE(row) || la >= 64)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (tolower((unsigned char)a[i - 1]) !=
						tolower((unsigned char)b[j - 1]));

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb] > limit ? limit + 1 : row[lb];
}

/* Short keys tolerate one edit, so "mtu" and "ips" are not typos of each other. */
static unsigned typo_limit(const char *key)
{
	return strlen(key) >= 5 ? 2 : 1;
}

int nd_conf_check_keys(struct cni_ctx *ctx, const cJSON *obj, const char *path,
		       const char *const *known)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, obj)
	{
		const char *near = NULL;
		unsigned best = UINT32_MAX;
		bool exact = false;

		for (const char *const *k = known; *k && !exact; k++) {
			unsigned d = nd_edit_distance(item->string, *k, typo_limit(*k));

			/* The decoders of other runtimes take "HostPort" for "hostPort". */
			exact = !strcasecmp(item->string, *k);
			if (d <= typo_limit(*k) && d < best) {
				best = d;
				near = *k;
			}
		}
		if (!exact && near)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
					"%s%s%s is not a known key; did you mean \"%s\"?", path,
					SEP(path), item->string, near);
	}
	return 0;
}
