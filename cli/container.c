// SPDX-License-Identifier: MIT
/*
 * Containers that no runtime manages, named as cnitool names them (so the
 * two undo each other's attachments), and libcni's result cache
 * (libcni/api.go cacheAdd: kind cniCacheV1, config base64, result).
 */
#include "container.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "rundir.h"

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Go's filepath.Abs, as cnitool applies it before hashing: no symlink is resolved. */
static bool abs_path(const char *rel, char *buf, size_t size)
{
	char cwd[PATH_MAX];

	return getcwd(cwd, sizeof(cwd)) && (size_t)snprintf(buf, size, "%s/%s", cwd, rel) < size;
}

int container_resolve(const char *ref, struct container *ret)
{
	unsigned char md[SHA512_DIGEST_LENGTH];
	const char *base;
	struct stat st;

	memset(ret, 0, sizeof(*ret));
	if (all_digits(ref))
		snprintf(ret->netns, sizeof(ret->netns), "/proc/%s/ns/net", ref);
	else if (ref[0] == '/')
		snprintf(ret->netns, sizeof(ret->netns), "%s", ref);
	else if (strchr(ref, '/') && !abs_path(ref, ret->netns, sizeof(ret->netns)))
		return -EINVAL;
	else if (!strchr(ref, '/') && nd_name_valid(ref))
		snprintf(ret->netns, sizeof(ret->netns), "/run/netns/%s", ref);
	else if (!strchr(ref, '/'))
		return -EINVAL;
	ret->exists = stat(ret->netns, &st) == 0;
	SHA512((const unsigned char *)ret->netns, strlen(ret->netns), md);
	strcpy(ret->id, "cnitool-");
	for (size_t i = 0; i < 10; i++)
		sprintf(ret->id + 8 + 2 * i, "%02x", md[i]);
	base = strrchr(ret->netns, '/');
	snprintf(ret->name, sizeof(ret->name), "%s", all_digits(ref) ? ref : base ? base + 1 : ref);
	if (all_digits(ref)) {
		/* A process: its command name, as `ps` shows it. */
		char path[64], comm[64] = "";
		_cleanup_(fclosep) FILE *f = NULL;

		snprintf(path, sizeof(path), "/proc/%s/comm", ref);
		f = fopen(path, "re");
		if (f && fgets(comm, sizeof(comm), f)) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(ret->name, sizeof(ret->name), "%s", comm);
		}
	}
	return ret->exists ? 0 : -ENOENT;
}

void cache_path(const struct cli *c, const char *net, const char *id, const char *ifname, char *buf,
		size_t size)
{
	snprintf(buf, size, "%s/results/%s-%s-%s", c->cache_dir, net, id, ifname);
}

static char *base64(const char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)data, (int)len);
	return out;
}

/* cniArgs as libcni keeps them: [["K","V"], …] from "K=V;K=V". */
static cJSON *args_pairs(const char *cni_args)
{
	_cleanup_(freep) char *copy = strdup(cni_args ? cni_args : "");
	cJSON *pairs = cJSON_CreateArray();
	char *save = NULL;

	for (char *kv = copy ? strtok_r(copy, ";", &save) : NULL; kv;
	     kv = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(kv, '=');
		cJSON *p = cJSON_CreateArray();

		if (eq)
			*eq = '\0';
		cJSON_AddItemToArray(p, cJSON_CreateString(kv));
		cJSON_AddItemToArray(p, cJSON_CreateString(eq ? eq + 1 : ""));
		cJSON_AddItemToArray(pairs, p);
	}
	return pairs;
}

int cache_write(const struct cli *c, const struct cli_net *net, const struct container *ct,
		const char *ifname, const char *cni_args, const cJSON *cap_args,
		const cJSON *result)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *conf = NULL, *enc = NULL, *text = NULL;
	_cleanup_(closep) int dir = -1;
	char path[PATH_MAX], file[600];
	size_t len;

	if (nd_file_read(AT_FDCWD, net->file, 1u << 20, &conf, &len) < 0 ||
	    !(enc = base64(conf, len)))
		return -EIO;
	cJSON_AddStringToObject(o, "kind", "cniCacheV1");
	cJSON_AddStringToObject(o, "containerId", ct->id);
	cJSON_AddStringToObject(o, "config", enc);
	cJSON_AddStringToObject(o, "ifName", ifname);
	cJSON_AddStringToObject(o, "networkName", net->name);
	cJSON_AddStringToObject(o, "netns", ct->netns);
	cJSON_AddItemToObject(o, "cniArgs", args_pairs(cni_args));
	if (cJSON_GetArraySize(cap_args) > 0)
		cJSON_AddItemToObject(o, "capabilityArgs", cJSON_Duplicate(cap_args, true));
	if (result)
		cJSON_AddItemToObject(o, "result", cJSON_Duplicate(result, true));
	text = cJSON_PrintUnformatted(o);
	snprintf(path, sizeof(path), "%s/results", c->cache_dir);
	if (!text || nd_mkdir_p(path) < 0 || chmod(path, 0700) < 0)
		return -EIO;
	dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(file, sizeof(file), "%s-%s-%s", net->name, ct->id, ifname);
	if (dir < 0 || nd_file_write_atomic(dir, file, text, strlen(text)) < 0)
		return -EIO;
	return fchmodat(dir, file, 0600, 0) < 0 ? -errno : 0;
}

cJSON *cache_read(const struct cli *c, const char *net, const char *id, const char *ifname)
{
	_cleanup_(freep) char *text = NULL;
	char path[PATH_MAX];
	cJSON *o;
	const cJSON *kind;

	cache_path(c, net, id, ifname, path, sizeof(path));
	if (nd_file_read(AT_FDCWD, path, 1u << 20, &text, NULL) < 0)
		return NULL;
	o = cJSON_Parse(text);
	kind = cJSON_GetObjectItemCaseSensitive(o, "kind");
	if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "cniCacheV1")) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

void cache_next_ifname(const struct cli *c, const char *id, char *ifname)
{
	char path[PATH_MAX], want[128];
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	unsigned long used = 0;

	snprintf(path, sizeof(path), "%s/results", c->cache_dir);
	d = opendir(path);
	snprintf(want, sizeof(want), "-%s-eth", id);
	while (d && (de = readdir(d))) {
		const char *p = strstr(de->d_name, want);
		char *end;
		unsigned long n;

		if (!p)
			continue;
		n = strtoul(p + strlen(want), &end, 10);
		if (!*end && n < 8 * sizeof(used))
			used |= 1ul << n;
	}
	for (unsigned n = 0;; n++)
		if (n >= 8 * sizeof(used) || !(used & (1ul << n))) {
			snprintf(ifname, IFNAMSIZ, "eth%u", n);
			return;
		}
}
