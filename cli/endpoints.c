// SPDX-License-Identifier: MIT
/* Docker's Containers map, live from the run dir: whoever attached the endpoint (netdock, Podman, cnitool). */
#include "cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "record.h"
#include "rundir.h"

static DIR *open_net(const struct cli *c, const char *net)
{
	char path[PATH_MAX];

	if (!nd_name_valid(net))
		return NULL;
	snprintf(path, sizeof(path), "%s/endpoints/%s", c->run_dir, net);
	return opendir(path);
}

static cJSON *endpoint_json(const char *net, const struct nd_endpoint_record *e)
{
	cJSON *o = cJSON_CreateObject();
	char v4[ND_PREFIX_STRLEN] = "", v6[ND_PREFIX_STRLEN] = "", id[CLI_ID_LEN + 1];
	char seed[600];

	for (size_t i = 0; i < e->n_ips; i++) {
		char *dst = e->ips[i].addr.family == AF_INET ? v4 : v6;

		if (!*dst)
			nd_prefix_to_str(&e->ips[i], dst);
	}
	/* Docker's endpoint IDs are random; this one is stable for the same attachment. */
	snprintf(seed, sizeof(seed), "%s/%s/%s", net, e->container_id, e->ifname);
	cli_sha256_hex(seed, id);
	cJSON_AddStringToObject(o, "Name", e->name);
	cJSON_AddStringToObject(o, "EndpointID", id);
	cJSON_AddStringToObject(o, "MacAddress", e->mac);
	cJSON_AddStringToObject(o, "IPv4Address", v4);
	cJSON_AddStringToObject(o, "IPv6Address", v6);
	return o;
}

cJSON *cli_endpoints(const struct cli *c, const char *net)
{
	_cleanup_(closedirp) DIR *d = open_net(c, net);
	cJSON *map = cJSON_CreateObject();
	struct dirent *de;

	while (d && map && (de = readdir(d))) {
		struct nd_endpoint_record e;

		if (de->d_name[0] == '.' ||
		    nd_endpoint_record_read_file(dirfd(d), de->d_name, &e) < 0)
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(map, e.container_id))
			cJSON_AddItemToObject(map, e.container_id, endpoint_json(net, &e));
		nd_endpoint_record_clear(&e);
	}
	cli_json_sort(map);
	return map;
}

int cli_endpoints_count(const struct cli *c, const char *net)
{
	_cleanup_(closedirp) DIR *d = open_net(c, net);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && strlen(de->d_name) > 5 &&
		    !strcmp(de->d_name + strlen(de->d_name) - 5, ".json"))
			n++;
	return n;
}
