// SPDX-License-Identifier: MIT
/*
 * Runtime inputs as real runtimes send them: Podman puts the container name in
 * CNI_ARGS K8S_POD_NAME and aliases in a map keyed by network; cnitool users
 * write args.cni. Precedence: runtimeConfig, then args.cni, then CNI_ARGS.
 */
#include "cni-runtime.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json.h"
#include "conf.h"
#include "log.h"

struct cni_args {
	char name[CNI_MAX_NAME];
	char k8s_namespace[64];
	char mac[18];
	struct nd_strv ips;
};

static const char *const known_cni_args[] = {
	"IgnoreUnknown",
	"K8S_POD_NAME",
	"K8S_POD_NAMESPACE",
	"K8S_POD_INFRA_CONTAINER_ID",
	"K8S_POD_UID",
	"NAME",
	"IP",
	"MAC",
	NULL,
};

bool nd_dns_label_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-')
			return false;
	return true;
}

bool nd_mac_valid(const char *s)
{
	if (strlen(s) != 17)
		return false;
	for (int i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A container's MAC must be a unicast, non-zero one: the kernel refuses the others late. */
static int mac_check(struct cni_ctx *ctx, int code, const char *what, const char *mac)
{
	unsigned first = 0;
	bool zero = !strcmp(mac, "00:00:00:00:00:00");

	if (!mac[0])
		return 0;
	if (!nd_mac_valid(mac))
		return cni_fail(ctx, code, -EINVAL,
				"%s \"%.32s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", what, mac);
	sscanf(mac, "%2x", &first);
	if (zero || (first & 1))
		return cni_fail(ctx, code, -EINVAL,
				"%s %s is a %s address; a container needs a unicast one", what, mac,
				zero ? "zero" : "multicast");
	return 0;
}

static bool known_arg(const char *key, size_t len)
{
	for (const char *const *k = known_cni_args; *k; k++)
		if (strlen(*k) == len && !strncmp(*k, key, len))
			return true;
	return false;
}

static int split_ips(struct nd_strv *out, const char *list)
{
	char buf[1024];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int r = nd_strv_push_unique(out, t);

		if (r < 0)
			return r;
	}
	return 0;
}

static int arg_value(struct cni_ctx *ctx, struct cni_args *a, const char *key, size_t klen,
		     const char *val)
{
	if ((klen == 12 && !strncmp(key, "K8S_POD_NAME", klen)) ||
	    (klen == 4 && !strncmp(key, "NAME", klen))) {
		if (strlen(val) >= sizeof(a->name))
			return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
					"CNI_ARGS %.*s is too long", (int)klen, key);
		strcpy(a->name, val);
	} else if (klen == 17 && !strncmp(key, "K8S_POD_NAMESPACE", klen)) {
		/* A DNS label (RFC 1123), as Kubernetes requires of namespace names. */
		if (!*val)
			return 0;
		if (strlen(val) >= sizeof(a->k8s_namespace) || !nd_dns_label_valid(val))
			return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
					"CNI_ARGS K8S_POD_NAMESPACE \"%.64s\" is not a DNS label",
					val);
		strcpy(a->k8s_namespace, val);
	} else if (klen == 3 && !strncmp(key, "MAC", klen)) {
		if (!*val)
			return 0; /* "MAC=": not set */
		if (mac_check(ctx, CNI_ERR_INVALID_ENV, "CNI_ARGS MAC", val) < 0)
			return -EINVAL;
		strcpy(a->mac, val);
	} else if (klen == 2 && !strncmp(key, "IP", klen)) {
		return split_ips(&a->ips, val);
	}
	return 0;
}

/* "K=V;K=V": unknown keys are an error unless IgnoreUnknown is set, as in the reference skel. */
static int parse_cni_args(struct cni_ctx *ctx, struct cni_args *a)
{
	_cleanup_(freep) char *copy = NULL;
	char *save = NULL, *unknown = NULL;
	bool ignore_unknown = false;
	int r;

	if (!ctx->cni_args || !*ctx->cni_args)
		return 0;
	copy = strdup(ctx->cni_args);
	if (!copy)
		return -ENOMEM;
	for (char *kv = strtok_r(copy, ";", &save); kv; kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');

		if (!eq || eq == kv)
			return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
					"CNI_ARGS \"%.64s\" is not KEY=VALUE", kv);
		*eq = '\0';
		if (!strcmp(kv, "IgnoreUnknown"))
			ignore_unknown = !strcmp(eq + 1, "1") || !strcasecmp(eq + 1, "true");
		else if (!known_arg(kv, strlen(kv)) && !unknown)
			unknown = kv;
		r = arg_value(ctx, a, kv, strlen(kv), eq + 1);
		if (r < 0)
			return r;
	}
	if (unknown && !ignore_unknown)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
				"CNI_ARGS key %.64s is unknown (set IgnoreUnknown=1 to allow it)",
				unknown);
	return 0;
}

/* aliases: ["a","b"], or {"<network>": ["a","b"]} as Podman sends them. */
static int load_aliases(struct cni_ctx *ctx, const cJSON *rc)
{
	const cJSON *v = rc ? nd_json_get(rc, "aliases") : NULL;
	const cJSON *mine;

	if (!v || cJSON_IsArray(v))
		return nd_conf_strv(ctx, rc, "runtimeConfig", "aliases", &ctx->rt.aliases);
	if (!cJSON_IsObject(v))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"runtimeConfig.aliases must be a list or a map of network to list");
	mine = cJSON_GetObjectItemCaseSensitive(v, ctx->net_name);
	if (!mine)
		return 0;
	return nd_conf_strv(ctx, v, "runtimeConfig.aliases", ctx->net_name, &ctx->rt.aliases);
}

static int load_port(struct cni_ctx *ctx, const cJSON *o, size_t i, struct cni_port_mapping *p)
{
	char path[64];
	unsigned host = 0, cont = 0;
	int r;

	snprintf(path, sizeof(path), "runtimeConfig.portMappings[%zu]", i);
	if (!cJSON_IsObject(o))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s must be an object", path);
	strcpy(p->protocol, "tcp");
	r = nd_conf_uint(ctx, o, path, "hostPort", 0, 65535, &host);
	if (r >= 0)
		r = nd_conf_uint(ctx, o, path, "containerPort", 1, 65535, &cont);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, o, path, "protocol", p->protocol, sizeof(p->protocol));
	if (r >= 0)
		r = nd_conf_addr(ctx, o, path, "hostIP", &p->host_ip);
	if (r < 0)
		return r;
	if (!p->protocol[0])
		strcpy(p->protocol, "tcp"); /* Go's zero value, as the reference portmap reads it */
	for (char *c = p->protocol; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	if (!cont)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s.containerPort is missing",
				path);
	if (strcmp(p->protocol, "tcp") && strcmp(p->protocol, "udp") && strcmp(p->protocol, "sctp"))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s.protocol \"%s\" is not tcp, udp or sctp", path, p->protocol);
	p->host_port = (uint16_t)host;
	p->container_port = (uint16_t)cont;
	return 0;
}

static int port_cmp(const void *a, const void *b, void *data)
{
	const struct cni_port_mapping *p = data, *x = &p[*(const size_t *)a],
				      *y = &p[*(const size_t *)b];
	int r = strcmp(x->protocol, y->protocol);

	if (!r)
		r = (int)x->host_port - (int)y->host_port;
	if (!r)
		r = nd_addr_cmp(&x->host_ip, &y->host_ip);
	return r ? r : *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/*
 * One host port (protocol, address) leads to one container port: the kernel
 * would only say "File exists" of the second. Sorted, so 5,000 mappings cost
 * what sorting them does.
 */
static int check_port_clashes(struct cni_ctx *ctx)
{
	const struct cni_port_mapping *p = ctx->rt.ports;
	_cleanup_(freep) size_t *order = calloc(ctx->rt.n_ports, sizeof(*order));

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < ctx->rt.n_ports; i++)
		order[i] = i;
	qsort_r(order, ctx->rt.n_ports, sizeof(*order), port_cmp, ctx->rt.ports);
	for (size_t i = 1; i < ctx->rt.n_ports; i++) {
		const struct cni_port_mapping *a = &p[order[i - 1]], *b = &p[order[i]];

		if (!a->host_port || a->host_port != b->host_port ||
		    strcmp(a->protocol, b->protocol) || !nd_addr_equal(&a->host_ip, &b->host_ip) ||
		    a->container_port == b->container_port)
			continue;
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"runtimeConfig.portMappings[%zu] maps host port %s/%u, which "
				"portMappings[%zu] already maps to container port %u",
				order[i], b->protocol, b->host_port, order[i - 1],
				a->container_port);
	}
	return 0;
}

static int load_ports(struct cni_ctx *ctx, const cJSON *rc)
{
	const cJSON *arr = NULL, *o;
	size_t n, i = 0;
	int r = nd_conf_array(ctx, rc, "runtimeConfig", "portMappings", &arr);

	if (r < 0 || !arr)
		return r;
	n = (size_t)cJSON_GetArraySize(arr);
	if (!n)
		return 0;
	ctx->rt.ports = calloc(n, sizeof(*ctx->rt.ports));
	if (!ctx->rt.ports)
		return -ENOMEM;
	cJSON_ArrayForEach(o, arr)
	{
		r = load_port(ctx, o, i, &ctx->rt.ports[i]);
		if (r < 0)
			return r;
		ctx->rt.n_ports = ++i;
	}
	return check_port_clashes(ctx);
}

static int load_attachments(struct cni_ctx *ctx)
{
	const char *key = "cni.dev/valid-attachments";
	const cJSON *arr = NULL, *o;
	size_t i = 0;
	int r = nd_conf_array(ctx, ctx->conf, "", key, &arr);

	if (r < 0 || !arr)
		return r;
	ctx->rt.has_valid_attachments = true;
	ctx->rt.valid_attachments =
		calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*ctx->rt.valid_attachments));
	if (!ctx->rt.valid_attachments)
		return -ENOMEM;
	cJSON_ArrayForEach(o, arr)
	{
		struct cni_attachment *a = &ctx->rt.valid_attachments[i];
		char path[64];

		snprintf(path, sizeof(path), "%s[%zu]", key, i);
		r = nd_conf_string_buf(ctx, o, path, "containerID", a->container_id,
				       sizeof(a->container_id));
		if (r >= 0)
			r = nd_conf_string_buf(ctx, o, path, "ifname", a->ifname,
					       sizeof(a->ifname));
		if (r < 0)
			return r;
		ctx->rt.n_valid_attachments = ++i;
	}
	return 0;
}

/* A pod answers to "<pod>.<namespace>" network-wide; the bare name stays in its namespace. */
static int add_namespaced_name(struct cni_runtime *rt, const char *ns)
{
	char alias[CNI_MAX_NAME + 64];

	strcpy(rt->k8s_namespace, ns);
	if ((size_t)snprintf(alias, sizeof(alias), "%s.%s", rt->name, ns) >= CNI_MAX_NAME)
		return 0;
	return nd_strv_push_unique(&rt->aliases, alias);
}

static int merge_args(struct cni_ctx *ctx, const cJSON *args_cni, struct cni_args *a)
{
	struct cni_runtime *rt = &ctx->rt;
	int r = 0;

	if (!rt->ips.n)
		r = nd_conf_strv(ctx, args_cni, "args.cni", "ips", &rt->ips);
	for (size_t i = 0; r >= 0 && !rt->ips.n && i < a->ips.n; i++)
		r = nd_strv_push_unique(&rt->ips, a->ips.v[i]);
	if (r >= 0 && !rt->aliases.n)
		r = nd_conf_strv(ctx, args_cni, "args.cni", "aliases", &rt->aliases);
	if (r >= 0 && !rt->links.n)
		r = nd_conf_strv(ctx, args_cni, "args.cni", "links", &rt->links);
	if (r >= 0 && !rt->mac[0]) {
		r = nd_conf_string_buf(ctx, args_cni, "args.cni", "mac", rt->mac, sizeof(rt->mac));
		if (r >= 0)
			r = mac_check(ctx, CNI_ERR_INVALID_CONFIG, "args.cni.mac", rt->mac);
	}
	if (r >= 0 && !rt->mac[0])
		strcpy(rt->mac, a->mac);
	/* Read (and type-checked) even when CNI_ARGS names the container. */
	if (r >= 0)
		r = nd_conf_string_buf(ctx, args_cni, "args.cni", "name", rt->name,
				       sizeof(rt->name));
	if (r >= 0 && a->name[0])
		strcpy(rt->name, a->name);
	if (r >= 0 && a->k8s_namespace[0] && rt->name[0])
		r = add_namespaced_name(rt, a->k8s_namespace);
	return r;
}

/* Capabilities Kubernetes runtimes send that netdock does not act on: never an error. */
static void log_unsupported(const cJSON *rc)
{
	static const char *const ignored[] = { "bandwidth", "ipRanges", "dns", "cgroupPath",
					       "io.kubernetes.cri.pod-annotations" };

	for (size_t i = 0; i < ND_ARRAY_SIZE(ignored); i++)
		if (nd_json_get(rc, ignored[i]))
			nd_debug("runtimeConfig.%s is not supported; ignored", ignored[i]);
}

int cni_runtime_load(struct cni_ctx *ctx)
{
	struct cni_args a = { 0 };
	const cJSON *rc = NULL, *args = NULL, *args_cni = NULL;
	int r;

	r = parse_cni_args(ctx, &a);
	if (r >= 0)
		r = nd_conf_object(ctx, ctx->conf, "", "runtimeConfig", &rc);
	if (r >= 0)
		r = nd_conf_object(ctx, ctx->conf, "", "args", &args);
	if (r >= 0)
		r = nd_conf_object(ctx, args, "args", "cni", &args_cni);
	if (r >= 0)
		r = nd_conf_strv(ctx, rc, "runtimeConfig", "ips", &ctx->rt.ips);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, rc, "runtimeConfig", "mac", ctx->rt.mac,
				       sizeof(ctx->rt.mac));
	if (r >= 0)
		r = mac_check(ctx, CNI_ERR_INVALID_CONFIG, "runtimeConfig.mac", ctx->rt.mac);
	if (r >= 0)
		r = load_aliases(ctx, rc);
	if (r >= 0)
		r = nd_conf_strv(ctx, rc, "runtimeConfig", "links", &ctx->rt.links);
	if (r >= 0)
		r = load_ports(ctx, rc);
	if (r >= 0)
		log_unsupported(rc);
	if (r >= 0)
		r = merge_args(ctx, args_cni, &a);
	if (r >= 0)
		r = load_attachments(ctx);
	nd_strv_clear(&a.ips);
	return r;
}

void cni_runtime_clear(struct cni_runtime *rt)
{
	nd_strv_clear(&rt->ips);
	nd_strv_clear(&rt->aliases);
	nd_strv_clear(&rt->links);
	free(rt->ports);
	free(rt->valid_attachments);
	*rt = (struct cni_runtime){ 0 };
}
