// SPDX-License-Identifier: MIT
/* Run-dir records: typed structs <-> JSON files, parsed as untrusted input. */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "rundir.h"

int nd_endpoint_record_filename(const char *container_id, const char *ifname, char *buf,
				size_t size)
{
	if (!nd_name_valid(container_id) || !nd_name_valid(ifname))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s-%s.json", container_id, ifname) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static void add_strv(cJSON *o, const char *key, const struct nd_strv *l)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);

	for (size_t i = 0; arr && i < l->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(l->v[i]));
}

static void add_addr(cJSON *o, const char *key, const struct nd_addr *a)
{
	char buf[ND_ADDR_STRLEN];

	cJSON_AddStringToObject(o, key, nd_addr_to_str(a, buf));
}

static cJSON *format_dns(const struct nd_dns_settings *d)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *servers;

	if (!o)
		return NULL;
	cJSON_AddBoolToObject(o, "enabled", d->enabled);
	cJSON_AddBoolToObject(o, "names", d->names);
	cJSON_AddStringToObject(o, "domain", d->domain);
	servers = cJSON_AddArrayToObject(o, "servers");
	for (size_t i = 0; servers && i < d->n_servers; i++) {
		char buf[ND_ADDR_STRLEN];

		cJSON_AddItemToArray(servers,
				     cJSON_CreateString(nd_addr_to_str(&d->servers[i], buf)));
	}
	return o;
}

char *nd_net_record_format(const struct nd_net_record *n)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	cJSON *subnets, *options;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "name", n->name);
	cJSON_AddStringToObject(o, "driver", n->driver);
	cJSON_AddStringToObject(o, "bridge", n->bridge);
	subnets = cJSON_AddArrayToObject(o, "subnets");
	for (size_t i = 0; subnets && i < n->n_subnets; i++) {
		cJSON *s = cJSON_CreateObject();
		char buf[ND_PREFIX_STRLEN];

		cJSON_AddItemToArray(subnets, s);
		cJSON_AddStringToObject(s, "subnet", nd_prefix_to_str(&n->subnets[i].subnet, buf));
		if (nd_addr_is_set(&n->subnets[i].gateway))
			add_addr(s, "gateway", &n->subnets[i].gateway);
	}
	cJSON_AddBoolToObject(o, "internal", n->internal);
	cJSON_AddBoolToObject(o, "ipv6", n->ipv6);
	cJSON_AddNumberToObject(o, "mtu", n->mtu);
	cJSON_AddItemToObject(o, "dns", format_dns(&n->dns));
	options = cJSON_AddObjectToObject(o, "options");
	for (size_t i = 0; options && i < n->option_keys.n && i < n->option_values.n; i++)
		cJSON_AddStringToObject(options, n->option_keys.v[i], n->option_values.v[i]);
	return cJSON_PrintUnformatted(o);
}

static cJSON *format_port(const struct nd_port_record *p)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	add_addr(o, "hostIP", &p->host_ip);
	cJSON_AddNumberToObject(o, "hostPort", p->host_port);
	cJSON_AddNumberToObject(o, "containerPort", p->container_port);
	cJSON_AddStringToObject(o, "protocol", p->protocol);
	return o;
}

char *nd_endpoint_record_format(const struct nd_endpoint_record *e)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	cJSON *ips, *ports;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "containerID", e->container_id);
	cJSON_AddStringToObject(o, "ifname", e->ifname);
	cJSON_AddStringToObject(o, "netns", e->netns);
	cJSON_AddStringToObject(o, "name", e->name);
	if (e->namespace[0])
		cJSON_AddStringToObject(o, "namespace", e->namespace);
	add_strv(o, "aliases", &e->aliases);
	add_strv(o, "links", &e->links);
	ips = cJSON_AddArrayToObject(o, "ips");
	for (size_t i = 0; ips && i < e->n_ips; i++) {
		char buf[ND_PREFIX_STRLEN];

		cJSON_AddItemToArray(ips, cJSON_CreateString(nd_prefix_to_str(&e->ips[i], buf)));
	}
	cJSON_AddStringToObject(o, "mac", e->mac);
	cJSON_AddStringToObject(o, "hostInterface", e->host_ifname);
	cJSON_AddStringToObject(o, "host", e->host);
	ports = cJSON_AddArrayToObject(o, "ports");
	for (size_t i = 0; ports && i < e->n_ports; i++)
		cJSON_AddItemToArray(ports, format_port(&e->ports[i]));
	if (e->ports_note[0])
		cJSON_AddStringToObject(o, "portsNote", e->ports_note);
	return cJSON_PrintUnformatted(o);
}

/* Typed getters for untrusted records: absent is fine, a wrong type is -EINVAL. */
static int get_str(const cJSON *o, const char *key, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return -EINVAL;
	strcpy(buf, v->valuestring);
	return 0;
}

static int get_bool(const cJSON *o, const char *key, bool *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return 0;
	if (!cJSON_IsBool(v))
		return -EINVAL;
	*ret = cJSON_IsTrue(v);
	return 0;
}

static int get_uint(const cJSON *o, const char *key, unsigned max, unsigned *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max)
		return -EINVAL;
	*ret = (unsigned)v->valuedouble;
	return 0;
}

static int get_strv(const cJSON *o, const char *key, struct nd_strv *ret)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, key), *it;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(it, arr)
	{
		int r;

		if (!cJSON_IsString(it) || strlen(it->valuestring) > 255)
			return -EINVAL;
		r = nd_strv_push(ret, it->valuestring);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_subnets(const cJSON *o, struct nd_net_record *n)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "subnets"), *it;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(it, arr)
	{
		struct nd_subnet_record *s = &n->subnets[n->n_subnets];
		char subnet[ND_PREFIX_STRLEN] = "", gw[ND_ADDR_STRLEN] = "";

		if (n->n_subnets == ND_RECORD_MAX_SUBNETS || !cJSON_IsObject(it))
			return -EINVAL;
		if (get_str(it, "subnet", subnet, sizeof(subnet)) < 0 ||
		    get_str(it, "gateway", gw, sizeof(gw)) < 0 ||
		    nd_prefix_parse(subnet, &s->subnet) < 0 ||
		    (gw[0] && nd_addr_parse(gw, &s->gateway) < 0))
			return -EINVAL;
		n->n_subnets++;
	}
	return 0;
}

static int parse_dns(const cJSON *o, struct nd_dns_settings *d)
{
	const cJSON *dns = cJSON_GetObjectItemCaseSensitive(o, "dns"), *arr, *it;

	d->enabled = true;
	d->names = true;
	strcpy(d->domain, ND_DNS_DOMAIN_DEFAULT);
	if (!dns)
		return 0;
	if (!cJSON_IsObject(dns) || get_bool(dns, "enabled", &d->enabled) < 0 ||
	    get_bool(dns, "names", &d->names) < 0 ||
	    get_str(dns, "domain", d->domain, sizeof(d->domain)) < 0)
		return -EINVAL;
	arr = cJSON_GetObjectItemCaseSensitive(dns, "servers");
	if (arr && !cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(it, arr)
	{
		if (d->n_servers == ND_RECORD_MAX_SERVERS || !cJSON_IsString(it) ||
		    nd_addr_parse(it->valuestring, &d->servers[d->n_servers]) < 0)
			return -EINVAL;
		d->n_servers++;
	}
	return 0;
}

static int parse_options(const cJSON *o, struct nd_net_record *n)
{
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(o, "options"), *it;

	if (!opts)
		return 0;
	if (!cJSON_IsObject(opts))
		return -EINVAL;
	cJSON_ArrayForEach(it, opts)
	{
		int r;

		if (!cJSON_IsString(it))
			return -EINVAL;
		r = nd_strv_push(&n->option_keys, it->string);
		if (r >= 0)
			r = nd_strv_push(&n->option_values, it->valuestring);
		if (r < 0)
			return r;
	}
	return 0;
}

int nd_net_record_parse(const char *text, size_t len, struct nd_net_record *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_ParseWithLength(text, len);
	struct nd_net_record n = { 0 };
	int r;

	if (!cJSON_IsObject(o))
		return -EINVAL;
	r = get_str(o, "name", n.name, sizeof(n.name));
	if (r >= 0)
		r = get_str(o, "driver", n.driver, sizeof(n.driver));
	if (r >= 0)
		r = get_str(o, "bridge", n.bridge, sizeof(n.bridge));
	if (r >= 0)
		r = parse_subnets(o, &n);
	if (r >= 0)
		r = get_bool(o, "internal", &n.internal);
	if (r >= 0)
		r = get_bool(o, "ipv6", &n.ipv6);
	if (r >= 0)
		r = get_uint(o, "mtu", 65535, &n.mtu);
	if (r >= 0)
		r = parse_dns(o, &n.dns);
	if (r >= 0)
		r = parse_options(o, &n);
	if (r >= 0 && !nd_name_valid(n.name))
		r = -EINVAL;
	if (r < 0) {
		nd_net_record_clear(&n);
		return r;
	}
	*ret = n;
	return 0;
}

static int parse_ips(const cJSON *o, struct nd_endpoint_record *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "ips"), *it;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	cJSON_ArrayForEach(it, arr)
	{
		if (e->n_ips == ND_RECORD_MAX_IPS || !cJSON_IsString(it) ||
		    nd_prefix_parse_or_host(it->valuestring, &e->ips[e->n_ips]) < 0)
			return -EINVAL;
		e->n_ips++;
	}
	return 0;
}

static int parse_port(const cJSON *o, struct nd_port_record *p)
{
	char host_ip[ND_ADDR_STRLEN] = "";
	unsigned hp = 0, cp = 0;

	if (!cJSON_IsObject(o) || get_str(o, "hostIP", host_ip, sizeof(host_ip)) < 0 ||
	    get_uint(o, "hostPort", 65535, &hp) < 0 ||
	    get_uint(o, "containerPort", 65535, &cp) < 0 ||
	    get_str(o, "protocol", p->protocol, sizeof(p->protocol)) < 0 ||
	    (host_ip[0] && nd_addr_parse(host_ip, &p->host_ip) < 0))
		return -EINVAL;
	p->host_port = (uint16_t)hp;
	p->container_port = (uint16_t)cp;
	return 0;
}

static int parse_ports(const cJSON *o, struct nd_endpoint_record *e)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "ports"), *it;
	int n;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return -EINVAL;
	n = cJSON_GetArraySize(arr);
	if (n == 0)
		return 0;
	e->ports = calloc((size_t)n, sizeof(*e->ports));
	if (!e->ports)
		return -ENOMEM;
	cJSON_ArrayForEach(it, arr)
	{
		int r = parse_port(it, &e->ports[e->n_ports]);

		if (r < 0)
			return r;
		e->n_ports++;
	}
	return 0;
}

int nd_endpoint_record_parse(const char *text, size_t len, struct nd_endpoint_record *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_ParseWithLength(text, len);
	_cleanup_(freep) struct nd_endpoint_record *e = calloc(1, sizeof(*e));
	int r;

	if (!e)
		return -ENOMEM;
	if (!cJSON_IsObject(o))
		return -EINVAL;
	r = get_str(o, "containerID", e->container_id, sizeof(e->container_id));
	if (r >= 0)
		r = get_str(o, "ifname", e->ifname, sizeof(e->ifname));
	if (r >= 0)
		r = get_str(o, "netns", e->netns, sizeof(e->netns));
	if (r >= 0)
		r = get_str(o, "name", e->name, sizeof(e->name));
	if (r >= 0)
		r = get_str(o, "namespace", e->namespace, sizeof(e->namespace));
	if (r >= 0)
		r = get_strv(o, "aliases", &e->aliases);
	if (r >= 0)
		r = get_strv(o, "links", &e->links);
	if (r >= 0)
		r = parse_ips(o, e);
	if (r >= 0)
		r = get_str(o, "mac", e->mac, sizeof(e->mac));
	if (r >= 0)
		r = get_str(o, "hostInterface", e->host_ifname, sizeof(e->host_ifname));
	if (r >= 0)
		r = get_str(o, "host", e->host, sizeof(e->host));
	if (r >= 0)
		r = parse_ports(o, e);
	if (r >= 0)
		r = get_str(o, "portsNote", e->ports_note, sizeof(e->ports_note));
	if (r < 0) {
		nd_endpoint_record_clear(e);
		return r;
	}
	*ret = *e;
	return 0;
}

void nd_net_record_clear(struct nd_net_record *n)
{
	nd_strv_clear(&n->option_keys);
	nd_strv_clear(&n->option_values);
}

void nd_endpoint_record_clear(struct nd_endpoint_record *e)
{
	nd_strv_clear(&e->aliases);
	nd_strv_clear(&e->links);
	free(e->ports);
	e->ports = NULL;
	e->n_ports = 0;
}

static int write_text(int dirfd, const char *name, char *text)
{
	int r;

	if (!text)
		return -ENOMEM;
	r = nd_file_update(dirfd, name, text, strlen(text));
	free(text);
	return r;
}

static int net_filename(const char *net, char *buf, size_t size)
{
	if (!nd_name_valid(net))
		return -EINVAL;
	return (size_t)snprintf(buf, size, "%s.json", net) >= size ? -ENAMETOOLONG : 0;
}

static int open_subdir2(int run_dirfd, const char *a, const char *b, bool create)
{
	_cleanup_(closep) int fd = nd_subdir_open(run_dirfd, a, create);

	if (fd < 0 || !b)
		return fd < 0 ? fd : steal_fd(fd);
	return nd_subdir_open(fd, b, create);
}

int nd_net_record_write(int run_dirfd, const struct nd_net_record *n)
{
	_cleanup_(closep) int dirfd = -1;
	char name[ND_NAME_MAX + 8];
	int r = net_filename(n->name, name, sizeof(name));

	if (r < 0)
		return r;
	dirfd = open_subdir2(run_dirfd, "networks", NULL, true);
	if (dirfd < 0)
		return dirfd;
	return write_text(dirfd, name, nd_net_record_format(n));
}

int nd_net_record_read(int run_dirfd, const char *net, struct nd_net_record *ret)
{
	_cleanup_(closep) int dirfd = -1;
	_cleanup_(freep) char *text = NULL;
	char name[ND_NAME_MAX + 8];
	size_t len = 0;
	int r = net_filename(net, name, sizeof(name));

	if (r < 0)
		return r;
	dirfd = open_subdir2(run_dirfd, "networks", NULL, false);
	if (dirfd < 0)
		return dirfd;
	r = nd_file_read(dirfd, name, ND_RECORD_FILE_MAX, &text, &len);
	return r < 0 ? r : nd_net_record_parse(text, len, ret);
}

int nd_net_record_remove(int run_dirfd, const char *net)
{
	_cleanup_(closep) int dirfd = -1;
	char name[ND_NAME_MAX + 8];
	int r = net_filename(net, name, sizeof(name));

	if (r < 0)
		return r;
	dirfd = open_subdir2(run_dirfd, "networks", NULL, false);
	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	/* A writer killed before its rename left a temporary: it goes with the record. */
	nd_tmp_sweep(dirfd, name);
	return nd_file_remove(dirfd, name);
}

int nd_endpoint_record_write(int run_dirfd, const char *net, const struct nd_endpoint_record *e)
{
	_cleanup_(closep) int dirfd = -1;
	char name[2 * ND_NAME_MAX];
	int r = nd_endpoint_record_filename(e->container_id, e->ifname, name, sizeof(name));

	if (r < 0 || !nd_name_valid(net))
		return r < 0 ? r : -EINVAL;
	dirfd = open_subdir2(run_dirfd, "endpoints", net, true);
	if (dirfd < 0)
		return dirfd;
	return write_text(dirfd, name, nd_endpoint_record_format(e));
}

int nd_endpoint_record_read(int run_dirfd, const char *net, const char *container_id,
			    const char *ifname, struct nd_endpoint_record *ret)
{
	_cleanup_(closep) int dirfd = -1;
	_cleanup_(freep) char *text = NULL;
	char name[2 * ND_NAME_MAX];
	size_t len = 0;
	int r = nd_endpoint_record_filename(container_id, ifname, name, sizeof(name));

	if (r < 0 || !nd_name_valid(net))
		return r < 0 ? r : -EINVAL;
	dirfd = open_subdir2(run_dirfd, "endpoints", net, false);
	if (dirfd < 0)
		return dirfd;
	r = nd_file_read(dirfd, name, ND_RECORD_FILE_MAX, &text, &len);
	return r < 0 ? r : nd_endpoint_record_parse(text, len, ret);
}

int nd_endpoint_record_read_file(int net_dirfd, const char *filename,
				 struct nd_endpoint_record *ret)
{
	_cleanup_(freep) char *text = NULL;
	size_t len = 0;
	int r = nd_file_read(net_dirfd, filename, ND_RECORD_FILE_MAX, &text, &len);

	return r < 0 ? r : nd_endpoint_record_parse(text, len, ret);
}

int nd_endpoint_record_remove(int run_dirfd, const char *net, const char *container_id,
			      const char *ifname)
{
	_cleanup_(closep) int dirfd = -1;
	char name[2 * ND_NAME_MAX];
	int r = nd_endpoint_record_filename(container_id, ifname, name, sizeof(name));

	if (r < 0 || !nd_name_valid(net))
		return r < 0 ? r : -EINVAL;
	dirfd = open_subdir2(run_dirfd, "endpoints", net, false);
	if (dirfd == -ENOENT)
		return 0;
	if (dirfd < 0)
		return dirfd;
	nd_tmp_sweep(dirfd, name);
	return nd_file_remove(dirfd, name);
}
