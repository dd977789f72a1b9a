// SPDX-License-Identifier: MIT
/* netdock network inspect: Docker's object, field for field, from the conflist and the run dir. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

static const cJSON *meta(const struct cli_net *n, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(n->json, "netdock"), key);
}

static bool flag(const struct cli_net *n, const char *key)
{
	const cJSON *m = meta(n, key);

	if (m)
		return cJSON_IsTrue(m);
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cli_net_plugin(n, 0), key));
}

static void add_str(cJSON *o, const char *key, const cJSON *from, const char *from_key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(from, from_key);

	if (cJSON_IsString(v))
		cJSON_AddStringToObject(o, key, v->valuestring);
}

/* A string map (Options, Labels, AuxiliaryAddresses) copied and sorted as Go prints a map. */
static cJSON *str_map(const cJSON *src)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *it;

	cJSON_ArrayForEach(it, src) if (cJSON_IsString(it))
		cJSON_AddStringToObject(o, it->string, it->valuestring);
	cli_json_sort(o);
	return o;
}

/* ipam-subnet's subnets, or host-local's ranges / subnet. */
static cJSON *ipam_config(const cJSON *ipam)
{
	cJSON *cfg = cJSON_CreateArray();
	const cJSON *subnets = cJSON_GetObjectItemCaseSensitive(ipam, "subnets");
	const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(ipam, "ranges");
	const cJSON *it, *set;

	cJSON_ArrayForEach(it, subnets)
	{
		cJSON *c = cJSON_CreateObject();
		const cJSON *aux = cJSON_GetObjectItemCaseSensitive(it, "auxAddresses");

		add_str(c, "Subnet", it, "subnet");
		add_str(c, "IPRange", it, "ipRange");
		add_str(c, "Gateway", it, "gateway");
		if (cJSON_GetArraySize(aux) > 0)
			cJSON_AddItemToObject(c, "AuxiliaryAddresses", str_map(aux));
		cJSON_AddItemToArray(cfg, c);
	}
	cJSON_ArrayForEach(set, ranges) cJSON_ArrayForEach(it, set)
	{
		cJSON *c = cJSON_CreateObject();

		add_str(c, "Subnet", it, "subnet");
		add_str(c, "Gateway", it, "gateway");
		cJSON_AddItemToArray(cfg, c);
	}
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ipam, "subnet"))) {
		cJSON *c = cJSON_CreateObject();

		add_str(c, "Subnet", ipam, "subnet");
		add_str(c, "Gateway", ipam, "gateway");
		cJSON_AddItemToArray(cfg, c);
	}
	return cfg;
}

static bool has_v6(const cJSON *cfg)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cfg)
	{
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "Subnet");

		if (cJSON_IsString(s) && strchr(s->valuestring, ':'))
			return true;
	}
	return false;
}

static cJSON *ipam_object(const struct cli_net *n)
{
	const cJSON *ipam = cli_net_ipam(n);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ipam, "type");
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "Driver",
				!cJSON_IsString(type) || !strcmp(type->valuestring, "ipam-subnet") ?
					"default" :
					type->valuestring);
	cJSON_AddItemToObject(o, "Options", cJSON_CreateObject());
	cJSON_AddItemToObject(o, "Config", ipam_config(ipam));
	return o;
}

/* A conflist Podman wrote keeps its labels in args.podman_labels. */
static const cJSON *podman_labels(const struct cli_net *n)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(n->json, "args");

	return cJSON_GetObjectItemCaseSensitive(args, "podman_labels");
}

cJSON *cli_inspect_object(const struct cli *c, const struct cli_net *n)
{
	const cJSON *plugin = cli_net_plugin(n, 0);
	const cJSON *scope = meta(n, "scope");
	const cJSON *opts = n->ours ? meta(n, "options") :
				      cJSON_GetObjectItemCaseSensitive(plugin, "options");
	cJSON *o = cJSON_CreateObject(), *ipam = ipam_object(n);
	bool v6 = n->ours ? flag(n, "ipv6") :
			    flag(n, "ipv6") || has_v6(cJSON_GetObjectItem(ipam, "Config"));

	cJSON_AddStringToObject(o, "Name", n->name);
	cJSON_AddStringToObject(o, "Id", n->id);
	cJSON_AddStringToObject(o, "Created", n->created);
	cJSON_AddStringToObject(o, "Scope", cJSON_IsString(scope) ? scope->valuestring : "local");
	cJSON_AddStringToObject(o, "Driver", n->driver);
	cJSON_AddBoolToObject(o, "EnableIPv6", v6);
	cJSON_AddItemToObject(o, "IPAM", ipam);
	cJSON_AddBoolToObject(o, "Internal", flag(n, "internal"));
	cJSON_AddBoolToObject(o, "Attachable", flag(n, "attachable"));
	cJSON_AddBoolToObject(o, "Ingress", false);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "ConfigFrom"), "Network", "");
	cJSON_AddBoolToObject(o, "ConfigOnly", false);
	cJSON_AddItemToObject(o, "Containers", cli_endpoints(c, n->name));
	cJSON_AddItemToObject(o, "Options", str_map(opts));
	cJSON_AddItemToObject(o, "Labels", str_map(n->ours ? meta(n, "labels") : podman_labels(n)));
	return o;
}

static const struct option inspect_opts[] = {
	{ "format", required_argument, NULL, 'f' },
	CLI_COMMON_OPTS,
	{ NULL, 0, NULL, 0 },
};

/* Prints the object through the template; false after printing its error. */
static bool print_template(const char *tmpl, const cJSON *o)
{
	_cleanup_(freep) char *out = NULL;
	char err[512];

	if (cli_template_run(tmpl, o, &out, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return false;
	}
	printf("%s\n", out);
	return true;
}

static int inspect(struct cli *c, char **refs, int n_refs, const char *format)
{
	_cleanup_(cJSON_Deletep) cJSON *all = cJSON_CreateArray();
	_cleanup_(freep) char *text = NULL;
	struct cli_net *nets = NULL;
	size_t n = 0;
	int rc = 0, r = cli_nets_load(c, &nets, &n);

	if (r < 0)
		return cli_fail("reading %s: %s", c->conf_dir, strerror(-r));
	for (int i = 0; i < n_refs; i++) {
		struct cli_net *net = cli_net_find(nets, n, refs[i]);

		if (!net) {
			rc = cli_fail("No such network: %s", refs[i]);
			continue;
		}
		cJSON_AddItemToArray(all, cli_inspect_object(c, net));
	}
	cli_nets_free(nets, n);
	if (format) {
		const cJSON *o;

		cJSON_ArrayForEach(o, all) if (!print_template(format, o)) return CLI_EXIT_FAIL;
		return rc;
	}
	text = cli_json_print(all, true);
	if (text)
		printf("%s\n", text);
	return rc;
}

int cli_inspect(struct cli *c, int argc, char **argv)
{
	const char *format = NULL;
	int o;

	while ((o = cli_getopt(c, argc, argv, "f:", inspect_opts)) >= 0)
		if (o == 'f')
			format = optarg;
	if (o != -1)
		return cli_getopt_exit(o);
	if (argc - optind < 1)
		return cli_args_fail(c, "requires at least 1 argument");
	return inspect(c, argv + optind, argc - optind, format && *format ? format : NULL);
}
