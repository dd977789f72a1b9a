// SPDX-License-Identifier: MIT
/* The overlay network record: format, parse, and its file under overlay/ in the run dir. */
#include "overlay-record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rundir.h"

void nd_host_name(char ret[64])
{
	const char *env = getenv("NETDOCK_HOSTNAME");

	if (env && *env && nd_name_valid(env) && strlen(env) < 64) {
		snprintf(ret, 64, "%s", env);
		return;
	}
	if (gethostname(ret, 64) < 0 || !nd_name_valid(ret))
		snprintf(ret, 64, "localhost");
	ret[63] = '\0';
}

static bool add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

char *nd_overlay_record_format(const struct nd_overlay_record *o)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
	char vtep[ND_ADDR_STRLEN];

	nd_addr_to_str(&o->vtep, vtep);
	if (!j || !add_str(j, "name", o->name) || !cJSON_AddNumberToObject(j, "vni", o->vni) ||
	    !add_str(j, "vxlan", o->vxlan) || !add_str(j, "bridge", o->bridge) ||
	    !add_str(j, "vtep", vtep) || !cJSON_AddNumberToObject(j, "port", o->port) ||
	    !add_str(j, "host", o->host) || !cJSON_AddBoolToObject(j, "encrypted", o->encrypted))
		return NULL;
	return cJSON_PrintUnformatted(j);
}

static int get_str(const cJSON *o, const char *k, char *buf, size_t size)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v)
		return 0;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= size)
		return -EINVAL;
	snprintf(buf, size, "%s", v->valuestring);
	return 0;
}

static int get_uint(const cJSON *o, const char *k, unsigned max, unsigned *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max)
		return -EINVAL;
	*ret = (unsigned)v->valuedouble;
	return 0;
}

int nd_overlay_record_parse(const char *text, size_t len, struct nd_overlay_record *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(text, len);
	struct nd_overlay_record o = { .port = 4789 };
	char vtep[ND_ADDR_STRLEN] = "";
	int r;

	if (!cJSON_IsObject(j))
		return -EINVAL;
	r = get_str(j, "name", o.name, sizeof(o.name));
	if (r >= 0)
		r = get_uint(j, "vni", ND_VNI_MAX, &o.vni);
	if (r >= 0)
		r = get_str(j, "vxlan", o.vxlan, sizeof(o.vxlan));
	if (r >= 0)
		r = get_str(j, "bridge", o.bridge, sizeof(o.bridge));
	if (r >= 0)
		r = get_str(j, "vtep", vtep, sizeof(vtep));
	if (r >= 0 && vtep[0])
		r = nd_addr_parse(vtep, &o.vtep);
	if (r >= 0)
		r = get_uint(j, "port", 65535, &o.port);
	if (r >= 0)
		r = get_str(j, "host", o.host, sizeof(o.host));
	if (r >= 0 && cJSON_GetObjectItemCaseSensitive(j, "encrypted")) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "encrypted");

		r = cJSON_IsBool(e) ? 0 : -EINVAL;
		o.encrypted = cJSON_IsTrue(e);
	}
	if (r >= 0 && (!o.vni || !o.vxlan[0] || !o.bridge[0]))
		r = -EINVAL;
	if (r < 0)
		return r;
	*ret = o;
	return 0;
}

static int record_name(const char *net, char *buf, size_t size)
{
	if (!nd_name_valid(net))
		return -EINVAL;
	snprintf(buf, size, "%s.json", net);
	return 0;
}

int nd_overlay_record_write(int run_dirfd, const struct nd_overlay_record *o)
{
	_cleanup_(closep) int dirfd = nd_subdir_open(run_dirfd, "overlay", true);
	_cleanup_(freep) char *text = NULL;
	char name[CNI_MAX_NAME + 8];
	int r = record_name(o->name, name, sizeof(name));

	if (r < 0 || dirfd < 0)
		return r < 0 ? r : dirfd;
	text = nd_overlay_record_format(o);
	return text ? nd_file_update(dirfd, name, text, strlen(text)) : -ENOMEM;
}

int nd_overlay_record_read(int run_dirfd, const char *net, struct nd_overlay_record *ret)
{
	_cleanup_(closep) int dirfd = nd_subdir_open(run_dirfd, "overlay", false);
	_cleanup_(freep) char *text = NULL;
	char name[CNI_MAX_NAME + 8];
	size_t len = 0;
	int r = record_name(net, name, sizeof(name));

	if (r < 0 || dirfd < 0)
		return r < 0 ? r : dirfd;
	r = nd_file_read(dirfd, name, 1u << 16, &text, &len);
	return r < 0 ? r : nd_overlay_record_parse(text, len, ret);
}

int nd_overlay_record_remove(int run_dirfd, const char *net)
{
	_cleanup_(closep) int dirfd = nd_subdir_open(run_dirfd, "overlay", false);
	char name[CNI_MAX_NAME + 8];
	int r = record_name(net, name, sizeof(name));

	if (r < 0)
		return r;
	if (dirfd == -ENOENT)
		return 0;
	return dirfd < 0 ? dirfd : nd_file_remove(dirfd, name);
}
