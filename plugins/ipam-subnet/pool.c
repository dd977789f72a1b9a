// SPDX-License-Identifier: MIT
/*
 * Subnet registry: <lib>/subnets/<net> lists each network's subnets, so a
 * new network never overlaps another, and a network created without a
 * subnet gets one from the default pools that overlaps no host route either
 * and keeps it for as long as it is registered.
 */
#include "ipam.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "rundir.h"

#define MAX_TAKEN 4096

struct taken {
	struct nd_prefix prefix;
	char owner[64]; /* network name, or "a host route" */
};

struct registry {
	int lib_fd;
	int dir_fd;
	int lock_fd;
	struct taken *taken;
	size_t n_taken;
	struct nd_prefix mine[IPAM_MAX_RANGES];
	size_t n_mine;
	bool kept; /* this network's file says KEPT_LINE */
};

/* The first line of a kept registration; not a prefix, so older readers skip it. */
#define KEPT_LINE "kept"

static void registry_close(struct registry *reg)
{
	closep(&reg->dir_fd);
	closep(&reg->lock_fd);
	closep(&reg->lib_fd);
	free(reg->taken);
}

static void taken_add(struct registry *reg, const struct nd_prefix *p, const char *owner)
{
	if (reg->n_taken == MAX_TAKEN)
		return;
	reg->taken[reg->n_taken].prefix = *p;
	snprintf(reg->taken[reg->n_taken].owner, sizeof(reg->taken[0].owner), "%s", owner);
	reg->n_taken++;
}

/* Parses one registry file; lines that are not prefixes are skipped. */
static void registry_read_one(struct registry *reg, const char *net, bool mine)
{
	_cleanup_(freep) char *text = NULL;
	char *save = NULL;

	if (nd_file_read(reg->dir_fd, net, 64 * 1024, &text, NULL) < 0)
		return;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		struct nd_prefix p;

		if (mine && !strcmp(l, KEPT_LINE))
			reg->kept = true;
		if (nd_prefix_parse(l, &p) < 0)
			continue;
		if (!mine)
			taken_add(reg, &p, net);
		else if (reg->n_mine < IPAM_MAX_RANGES)
			reg->mine[reg->n_mine++] = p;
	}
}

static int registry_open(const char *lib_dir, const char *net, struct registry *reg)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r;

	reg->lib_fd = nd_dir_open(lib_dir, true);
	if (reg->lib_fd < 0)
		return reg->lib_fd;
	reg->lock_fd = nd_lock_take(reg->lib_fd, "subnets.lock");
	if (reg->lock_fd < 0)
		return reg->lock_fd;
	reg->dir_fd = nd_subdir_open(reg->lib_fd, "subnets", true);
	if (reg->dir_fd < 0)
		return reg->dir_fd;
	reg->taken = calloc(MAX_TAKEN, sizeof(*reg->taken));
	if (!reg->taken)
		return -ENOMEM;
	r = nd_dir_stream(reg->dir_fd, ".", &d);
	if (r < 0)
		return r;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			registry_read_one(reg, de->d_name, !strcmp(de->d_name, net));
	return 0;
}

/* IPv4 routes of the host (/proc/net/route: hex, network byte order as read). */
static void host_routes(struct registry *reg)
{
	_cleanup_(fclosep) FILE *f = fopen("/proc/net/route", "re");
	char line[256], ifname[32];
	unsigned dst, mask;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct nd_prefix p = { .addr = { .family = AF_INET } };

		if (sscanf(line, "%31s %x %*x %*x %*d %*d %*d %x", ifname, &dst, &mask) != 3 ||
		    mask == 0)
			continue;
		memcpy(p.addr.bytes, &dst, 4);
		p.len = (uint8_t)__builtin_popcount(mask);
		taken_add(reg, &p, "a host route");
	}
}

static const struct taken *overlap(const struct registry *reg, const struct nd_prefix *p)
{
	for (size_t i = 0; i < reg->n_taken; i++)
		if (nd_prefix_overlaps(&reg->taken[i].prefix, p))
			return &reg->taken[i];
	return NULL;
}

static int choose_auto(struct cni_ctx *ctx, struct ipam_conf *conf, struct registry *reg,
		       struct nd_prefix *ret)
{
	for (size_t i = 0; i < reg->n_mine; i++)
		if (reg->mine[i].addr.family == AF_INET) {
			*ret = reg->mine[i]; /* chosen before: never changes */
			return 0;
		}
	host_routes(reg);
	for (size_t i = 0; i < conf->n_pools; i++) {
		const struct ipam_pool *pool = &conf->pools[i];
		uint64_t count = (uint64_t)1 << (pool->size - pool->base.len);
		struct nd_prefix c = { .addr = pool->base.addr, .len = (uint8_t)pool->size };

		for (uint64_t k = 0; k < count; k++) {
			c.addr = nd_addr_add(&pool->base.addr, k << (32 - pool->size));
			if (!overlap(reg, &c)) {
				*ret = c;
				return 0;
			}
		}
	}
	return cni_fail(
		ctx, ND_ERR_POOL_EXHAUSTED, -ENOSPC,
		"ipam: every subnet of the default pools overlaps a network or a host route; "
		"set ipam.subnets");
}

static int add_auto_range(struct cni_ctx *ctx, struct ipam_conf *conf, const struct nd_prefix *p)
{
	struct ipam_range *r = &conf->ranges[0];

	memset(r, 0, sizeof(*r));
	r->subnet = *p;
	r->automatic = true;
	snprintf(r->path, sizeof(r->path), "ipam (automatic subnet)");
	conf->n_ranges = 1;
	conf->n_sets = 1;
	return ipam_range_finish(ctx, r);
}

static int check_overlaps(struct cni_ctx *ctx, const struct ipam_conf *conf,
			  const struct registry *reg)
{
	for (size_t i = 0; i < conf->n_ranges; i++) {
		const struct ipam_range *r = &conf->ranges[i];
		const struct taken *t = overlap(reg, &r->subnet);
		char a[ND_PREFIX_STRLEN], b[ND_PREFIX_STRLEN];

		if (t)
			return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EEXIST,
					"%s.subnet %s overlaps %s of network %s", r->path,
					nd_prefix_to_str(&r->subnet, a),
					nd_prefix_to_str(&t->prefix, b), t->owner);
	}
	return 0;
}

static int registry_save(struct registry *reg, const struct ipam_conf *conf, const char *net)
{
	char text[IPAM_MAX_RANGES * (ND_PREFIX_STRLEN + 1) + 1];
	size_t len = 0;
	bool kept = reg->kept || conf->keep;
	bool same = reg->n_mine == conf->n_ranges && kept == reg->kept;

	if (kept)
		len += (size_t)snprintf(text, sizeof(text), "%s\n", KEPT_LINE);

	for (size_t i = 0; i < conf->n_ranges; i++) {
		char p[ND_PREFIX_STRLEN];
		struct nd_prefix n = nd_prefix_network(&conf->ranges[i].subnet);

		same = same && nd_addr_equal(&reg->mine[i].addr, &n.addr) &&
		       reg->mine[i].len == n.len;
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n",
					nd_prefix_to_str(&n, p));
	}
	return same ? 0 : nd_file_write_atomic(reg->dir_fd, net, text, len);
}

int ipam_pool_register(struct cni_ctx *ctx, struct ipam_conf *conf)
{
	struct registry reg = { .lib_fd = -1, .dir_fd = -1, .lock_fd = -1 };
	struct nd_prefix chosen;
	int r = registry_open(conf->lib_dir, ctx->net_name, &reg);

	if (r < 0) {
		registry_close(&reg);
		return cni_fail(ctx, CNI_ERR_IO, r, "ipam: lib dir %s: %s", conf->lib_dir,
				strerror(-r));
	}
	if (conf->want_auto) {
		r = choose_auto(ctx, conf, &reg, &chosen);
		if (r >= 0)
			r = add_auto_range(ctx, conf, &chosen);
	} else {
		r = check_overlaps(ctx, conf, &reg);
	}
	if (r >= 0)
		r = registry_save(&reg, conf, ctx->net_name);
	registry_close(&reg);
	return r;
}

static bool registration_kept(int dir, const char *net)
{
	_cleanup_(freep) char *text = NULL;

	return nd_file_read(dir, net, 64 * 1024, &text, NULL) >= 0 &&
	       !strncmp(text, KEPT_LINE "\n", strlen(KEPT_LINE) + 1);
}

int ipam_pool_unregister(struct cni_ctx *ctx, const struct ipam_conf *conf, bool force)
{
	_cleanup_(closep) int lib = nd_dir_open(conf->lib_dir, false);
	_cleanup_(closep) int lock = -1, dir = -1;

	if (lib < 0)
		return lib == -ENOENT ? 0 : lib;
	lock = nd_lock_take(lib, "subnets.lock");
	if (lock < 0)
		return lock;
	dir = nd_subdir_open(lib, "subnets", false);
	if (dir < 0)
		return dir == -ENOENT ? 0 : dir;
	if (!force && registration_kept(dir, ctx->net_name))
		return 0;
	/* The registry entry's temporaries of killed writers go with it. */
	nd_tmp_sweep(dir, ctx->net_name);
	return nd_file_remove(dir, ctx->net_name);
}
