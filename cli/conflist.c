// SPDX-License-Identifier: MIT
/* The conf dir: every conflist in it is a network, whoever wrote it; netdock's carry an ID. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/sha.h>

#include "rundir.h"

#define CONFLIST_MAX (1u << 20)

void cli_sha256_hex(const char *text, char *out)
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)text, strlen(text), md);
	for (size_t i = 0; i < sizeof(md); i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

void cli_net_clear(struct cli_net *n)
{
	cJSON_Delete(n->json);
	n->json = NULL;
}

void cli_nets_free(struct cli_net *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		cli_net_clear(&v[i]);
	free(v);
}

/* libcni reads .conf, .conflist and .json; a .conf is one plugin at the top level. */
static bool conf_file_name(const char *n)
{
	const char *dot = strrchr(n, '.');

	return n[0] != '.' && dot &&
	       (!strcmp(dot, ".conflist") || !strcmp(dot, ".conf") || !strcmp(dot, ".json"));
}

static void mtime_rfc3339(const struct stat *st, char *buf, size_t size)
{
	struct tm tm;
	char date[32];

	gmtime_r(&st->st_mtim.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, st->st_mtim.tv_nsec);
}

static void net_meta(struct cli_net *n, const struct stat *st)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(n->json, "netdock");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(meta, "id");
	const cJSON *created = cJSON_GetObjectItemCaseSensitive(meta, "created");
	const cJSON *first = cli_net_plugin(n, 0);
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(first, "type");

	n->ours = cJSON_IsString(id) && strlen(id->valuestring) == CLI_ID_LEN;
	if (n->ours)
		snprintf(n->id, sizeof(n->id), "%s", id->valuestring);
	else
		cli_sha256_hex(n->name, n->id); /* what Podman shows for the same file */
	if (cJSON_IsString(created))
		snprintf(n->created, sizeof(n->created), "%s", created->valuestring);
	else
		mtime_rfc3339(st, n->created, sizeof(n->created));
	snprintf(n->driver, sizeof(n->driver), "%s", cJSON_IsString(type) ? type->valuestring : "");
}

/* Reads one file; 0 when it is a network, 1 when it is something else. */
static int net_load(int dirfd, const char *conf_dir, const char *file, struct cli_net *ret)
{
	_cleanup_(freep) char *text = NULL;
	const cJSON *name;
	struct stat st;
	size_t len;
	int r = nd_file_read(dirfd, file, CONFLIST_MAX, &text, &len);

	if (r < 0)
		return 1;
	if (fstatat(dirfd, file, &st, 0) < 0)
		return 1;
	memset(ret, 0, sizeof(*ret));
	ret->json = cJSON_ParseWithLength(text, len);
	name = cJSON_GetObjectItemCaseSensitive(ret->json, "name");
	if (!cJSON_IsString(name) || strlen(name->valuestring) >= sizeof(ret->name)) {
		cli_net_clear(ret);
		return 1;
	}
	snprintf(ret->name, sizeof(ret->name), "%s", name->valuestring);
	snprintf(ret->file, sizeof(ret->file), "%s/%s", conf_dir, file);
	net_meta(ret, &st);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	const struct cli_net *x = a, *y = b;

	return strcmp(x->name, y->name);
}

int cli_nets_load(const struct cli *c, struct cli_net **ret, size_t *ret_n)
{
	_cleanup_(closedirp) DIR *d = opendir(c->conf_dir);
	struct cli_net *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;

	if (!d) {
		*ret = NULL;
		*ret_n = 0;
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		if (!conf_file_name(de->d_name))
			continue;
		if (n == cap) {
			struct cli_net *nv = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));

			if (!nv) {
				cli_nets_free(v, n);
				return -ENOMEM;
			}
			v = nv;
		}
		if (net_load(dirfd(d), c->conf_dir, de->d_name, &v[n]) == 0)
			n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_name);
	*ret = v;
	*ret_n = n;
	return 0;
}

struct cli_net *cli_net_find(struct cli_net *v, size_t n, const char *ref)
{
	struct cli_net *hit = NULL;
	size_t len = strlen(ref), hits = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, ref))
			return &v[i];
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].id, ref))
			return &v[i];
	for (size_t i = 0; len && i < n; i++)
		if (!strncmp(v[i].id, ref, len)) {
			hit = &v[i];
			hits++;
		}
	return hits == 1 ? hit : NULL;
}

const cJSON *cli_net_plugin(const struct cli_net *n, size_t i)
{
	const cJSON *plugins = cJSON_GetObjectItemCaseSensitive(n->json, "plugins");

	if (!plugins) /* a .conf file: the one plugin is the top level */
		return i == 0 ? n->json : NULL;
	return cJSON_GetArrayItem(plugins, (int)i);
}

const cJSON *cli_net_ipam(const struct cli_net *n)
{
	return cJSON_GetObjectItemCaseSensitive(cli_net_plugin(n, 0), "ipam");
}

int cli_conflist_write(const struct cli *c, const char *name, const cJSON *list)
{
	_cleanup_(freep) char *text = cli_json_print(list, true);
	_cleanup_(closep) int dirfd = -1;
	char file[ND_NAME_MAX + 16];
	int r;

	if (!text)
		return -ENOMEM;
	dirfd = nd_dir_open(c->conf_dir, true);
	if (dirfd < 0)
		return dirfd;
	snprintf(file, sizeof(file), "%s.conflist", name);
	r = nd_file_write_atomic(dirfd, file, text, strlen(text));
	/* An overlay's etcd password is in the file: only root reads it then. */
	if (r == 0 && strstr(text, "\"password\""))
		r = fchmodat(dirfd, file, 0600, 0) < 0 ? -errno : 0;
	return r;
}
