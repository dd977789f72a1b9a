// SPDX-License-Identifier: MIT
/*
 * The plugins of a network run as libcni runs them (buildOneConfig): each
 * gets the list's name and cniVersion, runtimeConfig from the capability
 * arguments it declares, and the previous plugin's result as prevResult.
 */
#include "chain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define CHAIN_MAX_ENV 512

static cJSON *plugin_conf(const struct cli_net *net, const cJSON *plugin,
			  const struct chain_call *call, const cJSON *prev)
{
	cJSON *conf = cJSON_Duplicate(plugin, true);
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(plugin, "capabilities"), *cap;
	const cJSON *version = cJSON_GetObjectItemCaseSensitive(net->json, "cniVersion");
	cJSON *rc = cJSON_CreateObject();

	cJSON_DeleteItemFromObjectCaseSensitive(conf, "name");
	cJSON_DeleteItemFromObjectCaseSensitive(conf, "cniVersion");
	cJSON_AddStringToObject(conf, "name", net->name);
	cJSON_AddStringToObject(conf, "cniVersion",
				cJSON_IsString(version) ? version->valuestring : "1.0.0");
	cJSON_ArrayForEach(cap, caps)
	{
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(call->cap_args, cap->string);

		if (cJSON_IsTrue(cap) && v)
			cJSON_AddItemToObject(rc, cap->string, cJSON_Duplicate(v, true));
	}
	if (cJSON_GetArraySize(rc) > 0)
		cJSON_AddItemToObject(conf, "runtimeConfig", rc);
	else
		cJSON_Delete(rc);
	if (prev)
		cJSON_AddItemToObject(conf, "prevResult", cJSON_Duplicate(prev, true));
	if (call->gc_empty)
		cJSON_AddItemToObject(conf, "cni.dev/valid-attachments", cJSON_CreateArray());
	return conf;
}

struct env {
	char *v[CHAIN_MAX_ENV + 1];
	size_t n;
	char own[7][PATH_MAX + 32];
};

/* The environment minus any CNI_* of ours, plus this call's. */
static void env_build(struct env *e, const struct cli *c, const struct chain_call *call)
{
	const char *vals[] = { call->verb,   call->container_id, call->netns,
			       call->ifname, c->cni_path,	 call->cni_args };
	const char *names[] = { "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS",
				"CNI_IFNAME",  "CNI_PATH",	  "CNI_ARGS" };

	e->n = 0;
	for (char **p = environ; *p && e->n < CHAIN_MAX_ENV - ND_ARRAY_SIZE(names); p++)
		if (strncmp(*p, "CNI_", 4))
			e->v[e->n++] = *p;
	for (size_t i = 0; i < ND_ARRAY_SIZE(names); i++) {
		if (!vals[i])
			continue;
		snprintf(e->own[i], sizeof(e->own[i]), "%s=%s", names[i], vals[i]);
		e->v[e->n++] = e->own[i];
	}
	e->v[e->n] = NULL;
}

static void plugin_error(const char *type, const char *out, int r, char *err, size_t errlen)
{
	_cleanup_(cJSON_Deletep) cJSON *o = out ? cJSON_Parse(out) : NULL;
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(o, "msg");
	const cJSON *details = cJSON_GetObjectItemCaseSensitive(o, "details");

	if (r < 0)
		snprintf(err, errlen, "plugin %s: %s", type,
			 r == -ENOENT ? "not found in CNI_PATH" : strerror(-r));
	else if (cJSON_IsString(msg))
		snprintf(err, errlen, "plugin type=\"%s\" failed: %s%s%s", type, msg->valuestring,
			 cJSON_IsString(details) ? ": " : "",
			 cJSON_IsString(details) ? details->valuestring : "");
	else
		snprintf(err, errlen, "plugin type=\"%s\" failed (exit %d)", type, r);
}

/* Runs plugin i; its stdout parsed into *ret when it succeeded. */
static int run_one(const struct cli *c, const struct cli_net *net, size_t i,
		   const struct chain_call *call, const cJSON *prev, cJSON **ret, char *err,
		   size_t errlen)
{
	const cJSON *plugin = cli_net_plugin(net, i);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(plugin, "type");
	_cleanup_(cJSON_Deletep) cJSON *conf = plugin_conf(net, plugin, call, prev);
	_cleanup_(freep) char *text = cJSON_PrintUnformatted(conf), *out = NULL;
	struct env e;
	int r;

	if (!cJSON_IsString(type) || !text)
		return -EINVAL;
	env_build(&e, c, call);
	r = cli_plugin_exec(c, type->valuestring, (const char *const *)e.v, text, &out);
	if (r == -ENOENT && call->skip_missing) {
		/* Its IPAM still owns leases and the subnet: run that alone on the same config. */
		const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(plugin, "ipam");
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(ipam, "type");

		free(out);
		out = NULL;
		r = cJSON_IsString(it) ? cli_plugin_exec(c, it->valuestring,
							 (const char *const *)e.v, text, &out) :
					 0;
		r = r == -ENOENT ? 0 : r;
	}
	if (r != 0) {
		plugin_error(type->valuestring, out, r, err, errlen);
		return r < 0 ? r : -EIO;
	}
	if (ret)
		*ret = out && *out ? cJSON_Parse(out) : NULL;
	return 0;
}

static size_t n_plugins(const struct cli_net *net)
{
	size_t n = 0;

	while (cli_net_plugin(net, n))
		n++;
	return n;
}

int chain_run(const struct cli *c, const struct cli_net *net, const struct chain_call *call,
	      cJSON **ret_result, char *err, size_t errlen)
{
	size_t n = n_plugins(net);
	cJSON *prev = NULL;
	int r = 0;

	if (!strcmp(call->verb, "DEL")) {
		for (size_t i = n; i-- > 0 && r == 0;)
			r = run_one(c, net, i, call, call->prev_result, NULL, err, errlen);
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		cJSON *res = NULL;

		r = run_one(c, net, i, call, prev, strcmp(call->verb, "ADD") ? NULL : &res, err,
			    errlen);
		if (r < 0)
			break;
		if (res) {
			cJSON_Delete(prev);
			prev = res;
		}
	}
	if (r < 0 && !strcmp(call->verb, "ADD")) {
		/* As runtimes do after a failed ADD: DEL everything, without a prevResult. */
		struct chain_call del = *call;
		char ignored[256];

		del.verb = "DEL";
		del.prev_result = NULL;
		chain_run(c, net, &del, NULL, ignored, sizeof(ignored));
	}
	if (r < 0 || !ret_result)
		cJSON_Delete(prev);
	else
		*ret_result = prev;
	return r;
}
