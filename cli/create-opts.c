// SPDX-License-Identifier: MIT
/*
 * -o key=value: Docker's bridge options are checked as its driver parses
 * them (so a bad value fails at create, not at the first container), kept
 * in the plugin's "options" map (bridge reads Docker's names there); the
 * overlay driver's VXLAN and cluster-store settings become overlay's keys.
 */
#include "create.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#define OPT "com.docker.network."
#define NOT_OVERLAY 2 /* overlay_opt: a key for the bridge part (cli_fail returns 1) */

static const char *const bool_opts[] = {
	OPT "bridge.enable_ip_masquerade",
	OPT "bridge.enable_icc",
	OPT "bridge.default_bridge",
	OPT "internal",
	NULL,
};

/* Go's strconv.ParseBool, normalised to what the plugins read. */
static const char *parse_bool(const char *v)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

	for (size_t i = 0; t[i]; i++)
		if (!strcmp(v, t[i]))
			return "true";
	for (size_t i = 0; f[i]; i++)
		if (!strcmp(v, f[i]))
			return "false";
	return NULL;
}

static bool parse_uint(const char *v, unsigned long max, unsigned long *ret)
{
	char *end;

	errno = 0;
	*ret = strtoul(v, &end, 10);
	return *v >= '0' && *v <= '9' && !*end && !errno && *ret <= max;
}

static int check_bridge_opt(const char *k, const char *v, cJSON *options)
{
	unsigned long n;
	struct nd_addr a;

	for (size_t i = 0; bool_opts[i]; i++) {
		const char *b = parse_bool(v);

		if (strcmp(k, bool_opts[i]))
			continue;
		if (!b)
			return cli_fail("failed to parse %s value: %s (strconv.ParseBool: parsing "
					"\"%s\": invalid syntax)",
					k, v, v);
		cJSON_AddStringToObject(options, k, b);
		return 0;
	}
	if (!strcmp(k, OPT "driver.mtu") && !parse_uint(v, 65535, &n))
		return cli_fail("failed to parse %s value: %s (strconv.Atoi: parsing \"%s\": "
				"invalid syntax)",
				k, v, v);
	if (!strcmp(k, OPT "driver.mtu") && n < 68)
		return cli_fail("invalid MTU number: %lu", n);
	if (!strcmp(k, OPT "bridge.name") && (!*v || strlen(v) >= IFNAMSIZ || strchr(v, '/')))
		return cli_fail("invalid bridge name %s: at most %d characters, no '/'", v,
				IFNAMSIZ - 1);
	if (!strcmp(k, OPT "bridge.host_binding_ipv4") &&
	    (nd_addr_parse(v, &a) < 0 || a.family != AF_INET))
		return cli_fail("failed to parse %s value: %s (not an IPv4 address)", k, v);
	cJSON_AddStringToObject(options, k, v);
	return 0;
}

/* overlay: Docker's VNI option and netdock's own keys; the store from -o or the environment. */
static int overlay_opt(const char *k, const char *v, cJSON *plugin, cJSON *store)
{
	unsigned long n;

	if (!strcmp(k, OPT "driver.overlay.vxlanid_list") || !strcmp(k, "vni")) {
		if (!parse_uint(v, 16777215, &n) || n == 0)
			return cli_fail("invalid VXLAN id %s (1-16777215)", v);
		cJSON_AddNumberToObject(plugin, "vni", (double)n);
	} else if (!strcmp(k, "port")) {
		if (!parse_uint(v, 65535, &n) || n == 0)
			return cli_fail("invalid VXLAN port %s", v);
		cJSON_AddNumberToObject(plugin, "port", (double)n);
	} else if (!strcmp(k, "vtep")) {
		cJSON_AddStringToObject(plugin, "vtep", v);
	} else if (!strncmp(k, "store.", 6) && strcmp(k + 6, "endpoints")) {
		cJSON_DeleteItemFromObjectCaseSensitive(store, k + 6);
		cJSON_AddStringToObject(store, k + 6, v);
	} else if (!strcmp(k, "store.endpoints")) {
		cJSON *list = cJSON_CreateArray();
		_cleanup_(freep) char *copy = strdup(v);
		char *save = NULL;

		for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(list, cJSON_CreateString(e));
		cJSON_DeleteItemFromObjectCaseSensitive(store, "endpoints");
		cJSON_AddItemToObject(store, "endpoints", list);
	} else {
		return NOT_OVERLAY;
	}
	return 0;
}

static void store_from_env(cJSON *store)
{
	static const char *const keys[] = { "prefix",	"cacert",   "cert", "key",
					    "username", "password", NULL };
	const char *eps = getenv("NETDOCK_ETCD_ENDPOINTS");
	char env[64];

	if (eps && *eps)
		overlay_opt("store.endpoints", eps, NULL, store);
	for (size_t i = 0; keys[i]; i++) {
		const char *v;

		snprintf(env, sizeof(env), "NETDOCK_ETCD_%s", keys[i]);
		for (char *p = env; *p; p++)
			*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
		v = getenv(env);
		if (v && *v)
			cJSON_AddStringToObject(store, keys[i], v);
	}
}

int create_driver_opts(const struct create_args *a, cJSON *plugin, cJSON *options)
{
	bool overlay = !strcmp(a->driver, "overlay");
	cJSON *store = overlay ? cJSON_CreateObject() : NULL;
	int r = 0;

	if (overlay)
		store_from_env(store);
	nd_strv_foreach(s, &a->opts) {
		const char *eq = strchr(s, '=');
		char key[256];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
		if (overlay) {
			r = overlay_opt(key, eq ? eq + 1 : "", plugin, store);
			if (r == 0)
				continue;
			if (r != NOT_OVERLAY)
				break;
			r = 0;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(options, key);
		r = check_bridge_opt(key, eq ? eq + 1 : "", options);
		if (r)
			break;
	}
	if (overlay && r == 0 && cJSON_GetArraySize(store) > 0)
		cJSON_AddItemToObject(plugin, "store", store);
	else
		cJSON_Delete(store);
	return r;
}
