// SPDX-License-Identifier: MIT
/* netdock network create: Docker's checks, a subnet from the registry, one conflist written atomically. */
#include "create.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "args.h"
#include "lock.h"
#include "rundir.h"

enum {
	OPT_SUBNET = CLI_OPT_FIRST_OWN,
	OPT_GATEWAY,
	OPT_IP_RANGE,
	OPT_AUX,
	OPT_INTERNAL,
	OPT_IPV6,
	OPT_LABEL,
	OPT_ATTACHABLE,
};

static const struct option create_opts[] = {
	{ "driver", required_argument, NULL, 'd' },
	{ "opt", required_argument, NULL, 'o' },
	{ "subnet", required_argument, NULL, OPT_SUBNET },
	{ "gateway", required_argument, NULL, OPT_GATEWAY },
	{ "ip-range", required_argument, NULL, OPT_IP_RANGE },
	{ "aux-address", required_argument, NULL, OPT_AUX },
	{ "internal", no_argument, NULL, OPT_INTERNAL },
	{ "ipv6", no_argument, NULL, OPT_IPV6 },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "attachable", no_argument, NULL, OPT_ATTACHABLE },
	CLI_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void args_clear(struct create_args *a)
{
	struct nd_strv *all[] = { &a->subnets, &a->gateways, &a->ranges,
				  &a->aux,     &a->opts,     &a->labels };

	for (size_t i = 0; i < ND_ARRAY_SIZE(all); i++)
		nd_strv_clear(all[i]);
}

static int parse(struct cli *c, int argc, char **argv, struct create_args *a)
{
	int o;

	while ((o = cli_getopt(c, argc, argv, "d:o:", create_opts)) >= 0) {
		struct nd_strv *l = o == 'o'	      ? &a->opts :
				    o == OPT_SUBNET   ? &a->subnets :
				    o == OPT_GATEWAY  ? &a->gateways :
				    o == OPT_IP_RANGE ? &a->ranges :
				    o == OPT_AUX      ? &a->aux :
				    o == OPT_LABEL    ? &a->labels :
							NULL;

		if (o == 'd')
			a->driver = optarg;
		else if (o == OPT_INTERNAL)
			a->internal = true;
		else if (o == OPT_IPV6)
			a->ipv6 = true;
		else if (o == OPT_ATTACHABLE)
			a->attachable = true;
		else if (l && cli_strv_add(l, optarg) < 0)
			return CLI_GETOPT_ERROR;
	}
	return o == -1 ? 0 : o;
}

static void now_rfc3339(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, ts.tv_nsec);
}

static cJSON *kv_object(const struct nd_strv *l)
{
	cJSON *o = cJSON_CreateObject();

	nd_strv_foreach(s, l) {
		const char *eq = strchr(s, '=');
		char key[256];

		snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
		cJSON_DeleteItemFromObjectCaseSensitive(o, key);
		cJSON_AddStringToObject(o, key, eq ? eq + 1 : "");
	}
	return o;
}

/* The netdock object at the top of the list: what inspect shows and no plugin reads. */
static cJSON *meta_new(const struct create_args *a, const char *id, bool user_subnets)
{
	cJSON *m = cJSON_CreateObject();
	char created[64];

	now_rfc3339(created, sizeof(created));
	cJSON_AddStringToObject(m, "id", id);
	cJSON_AddStringToObject(m, "created", created);
	cJSON_AddStringToObject(m, "scope", strcmp(a->driver, "overlay") ? "local" : "global");
	cJSON_AddBoolToObject(m, "ipv6", a->ipv6);
	cJSON_AddBoolToObject(m, "internal", a->internal);
	cJSON_AddBoolToObject(m, "attachable", a->attachable);
	cJSON_AddBoolToObject(m, "userSubnets", user_subnets); /* --ip needs them, as in Docker */
	cJSON_AddItemToObject(m, "options", kv_object(&a->opts));
	cJSON_AddItemToObject(m, "labels", kv_object(&a->labels));
	return m;
}

static cJSON *driver_plugin(const struct create_args *a, cJSON *subnets)
{
	cJSON *p = cJSON_CreateObject(), *caps, *ipam;

	cJSON_AddStringToObject(p, "type", a->driver);
	cJSON_AddBoolToObject(p, "isGateway", true);
	if (a->internal)
		cJSON_AddBoolToObject(p, "internal", true);
	if (a->ipv6)
		cJSON_AddBoolToObject(p, "ipv6", true);
	caps = cJSON_AddObjectToObject(p, "capabilities");
	cJSON_AddBoolToObject(caps, "mac", true);
	cJSON_AddBoolToObject(caps, "ips", true);
	cJSON_AddBoolToObject(caps, "aliases", true);
	cJSON_AddBoolToObject(caps, "links", true);
	cJSON_AddItemToObject(p, "options", cJSON_CreateObject());
	ipam = cJSON_AddObjectToObject(p, "ipam");
	cJSON_AddStringToObject(ipam, "type", "ipam-subnet");
	cJSON_AddItemToObject(ipam, "subnets", subnets);
	return p;
}

static cJSON *list_new(const char *name, cJSON *meta, cJSON *driver)
{
	cJSON *l = cJSON_CreateObject(), *plugins, *pm;

	cJSON_AddStringToObject(l, "cniVersion", "1.0.0");
	cJSON_AddStringToObject(l, "name", name);
	cJSON_AddItemToObject(l, "netdock", meta);
	/* Where Podman's CNI backend keeps a network's labels: podman network inspect shows them. */
	cJSON_AddItemToObject(cJSON_AddObjectToObject(l, "args"), "podman_labels",
			      cJSON_Duplicate(cJSON_GetObjectItem(meta, "labels"), true));
	plugins = cJSON_AddArrayToObject(l, "plugins");
	cJSON_AddItemToArray(plugins, driver);
	pm = cJSON_CreateObject();
	cJSON_AddStringToObject(pm, "type", "portmap");
	cJSON_AddBoolToObject(cJSON_AddObjectToObject(pm, "capabilities"), "portMappings", true);
	cJSON_AddItemToArray(plugins, pm);
	return l;
}

/* Everything that can be refused without reading the disk. */
static int check_args(const struct create_args *a, const char *name,
		      const struct create_ipam_info *info)
{
	if (!nd_name_valid(name))
		return cli_fail("invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
				"allowed, at most %d characters",
				name, ND_NAME_MAX);
	if (strcmp(a->driver, "bridge") && strcmp(a->driver, "overlay"))
		return cli_fail("plugin \"%s\" not found", a->driver);
	if (!strcmp(a->driver, "bridge") && info->n_v4 > 1)
		return cli_fail("bridge driver doesn't support multiple subnets");
	if (a->ipv6 && info->n_v6 == 0)
		return cli_fail("could not find an available, non-overlapping IPv6 address pool "
				"among the defaults to assign to the network");
	return 0;
}

/*
 * Two creates of one name at once: the second waits, then finds the name
 * taken. A lock of its own, as the registry's is taken inside its calls.
 */
static int lock_creates(int *ret)
{
	_cleanup_(closep) int lib = nd_dir_open(nd_lib_dir_path(NULL), true);

	*ret = lib < 0 ? lib : nd_lock_take(lib, "netdock-create.lock");
	return *ret < 0 ? cli_fail("locking %s: %s", nd_lib_dir_path(NULL), strerror(-*ret)) : 0;
}

static int check_name(const struct cli *c, const char *name)
{
	struct cli_net *nets = NULL;
	size_t n = 0;
	bool taken = false;
	int r = cli_nets_load(c, &nets, &n);

	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	for (size_t i = 0; i < n; i++)
		taken = taken || !strcmp(nets[i].name, name);
	cli_nets_free(nets, n);
	return taken ? cli_fail("network with name %s already exists", name) : 0;
}

static int create(const struct cli *c, const struct create_args *a, const char *name)
{
	_cleanup_(cJSON_Deletep) cJSON *list = NULL;
	struct create_ipam_info info = { 0 };
	cJSON *subnets = cJSON_CreateArray(), *driver, *meta;
	char id[CLI_ID_LEN + 1], err[512];
	_cleanup_(closep) int lock = -1;
	int r = create_ipam(a, subnets, &info);

	if (r == 0)
		r = check_args(a, name, &info);
	if (r == 0)
		r = lock_creates(&lock);
	if (r == 0)
		r = check_name(c, name);
	/*
	 * Docker's IDs are random; this one is the ID Podman derives from the
	 * name (SHA-256), so `podman network ls` and netdock show the same network
	 * under the same ID.
	 */
	if (r == 0)
		cli_sha256_hex(name, id);
	if (r) {
		cJSON_Delete(subnets);
		return r;
	}
	driver = driver_plugin(a, subnets);
	meta = meta_new(a, id, info.n_v4 + info.n_v6 > 0);
	list = list_new(name, meta, driver);
	r = create_driver_opts(a, driver, cJSON_GetObjectItemCaseSensitive(driver, "options"));
	if (r)
		return r;
	/* Last, the two writes: the registry entry, then the conflist (undoing the first). */
	r = cli_subnets_register(name, subnets, info.n_v4 == 0, err, sizeof(err));
	if (r < 0)
		return cli_fail("%s", err);
	r = cli_conflist_write(c, name, list);
	if (r < 0) {
		cli_subnets_unregister(name);
		return cli_fail("writing %s/%s.conflist: %s", c->conf_dir, name, strerror(-r));
	}
	printf("%s\n", id);
	return 0;
}

int cli_create(struct cli *c, int argc, char **argv)
{
	struct create_args a = { .driver = "bridge" };
	int r = parse(c, argc, argv, &a);

	if (r < 0)
		r = cli_getopt_exit(r);
	else if (argc - optind != 1)
		r = cli_args_fail(c, "requires exactly 1 argument");
	else
		r = create(c, &a, argv[optind]);
	args_clear(&a);
	return r;
}
