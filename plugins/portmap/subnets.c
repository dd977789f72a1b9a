// SPDX-License-Identifier: MIT
/*
 * The hairpin sets portmap-subnets4/6 and who holds each of their subnets:
 *   <run>/portmap/subnets/<address>-<length>/<cid>@<ifname>
 * one empty file per attachment that publishes ports from that subnet. Each
 * change rewrites both sets whole (flush, then the merged union of every
 * held subnet) in the caller's batch: the kernel refuses an interval that
 * overlaps one already there (10.99.1.0/24 inside 10.99.0.0/22), and a
 * subnet goes from the set with its last holder, by DEL or GC.
 */
#include "portmap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cleanup.h"
#include "rundir.h"

#define MAX_HELD 1024

static void subnet_dir_name(const struct nd_prefix *p, char *buf, size_t size)
{
	char a[ND_ADDR_STRLEN];
	struct nd_prefix net = nd_prefix_network(p);

	snprintf(buf, size, "%s-%u", nd_addr_to_str(&net.addr, a), net.len);
}

static int subnet_dir_parse(const char *name, struct nd_prefix *ret)
{
	char buf[ND_PREFIX_STRLEN];
	char *dash;

	if (snprintf(buf, sizeof(buf), "%s", name) >= (int)sizeof(buf))
		return -EINVAL;
	dash = strrchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = '/';
	return nd_prefix_parse(buf, ret);
}

static int member_name(const char *cid, const char *ifname, char *buf, size_t size)
{
	if (!nd_name_valid(cid) || !nd_name_valid(ifname))
		return -EINVAL;
	/* '@' is in no valid name: the holder splits back unambiguously. */
	return (size_t)snprintf(buf, size, "%s@%s", cid, ifname) >= size ? -ENAMETOOLONG : 0;
}

static bool listed(const struct nd_prefix *p, size_t n, const char *dir)
{
	char name[ND_PREFIX_STRLEN];

	for (size_t i = 0; i < n; i++) {
		subnet_dir_name(&p[i], name, sizeof(name));
		if (!strcmp(name, dir))
			return true;
	}
	return false;
}

int portmap_subnets_hold(int subnets_fd, const char *cid, const char *ifname,
			 const struct nd_prefix *p, size_t n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	char me[2 * ND_NAME_MAX], dir[ND_PREFIX_STRLEN];
	struct dirent *de;
	int dropped = 0, r = member_name(cid, ifname, me, sizeof(me));

	if (r >= 0)
		r = nd_dir_stream(subnets_fd, ".", &d);
	if (r < 0)
		return r;
	/* Subnets this attachment held before and holds no more (a repeated ADD, a DEL). */
	while ((de = readdir(d))) {
		_cleanup_(closep) int fd = -1;

		if (de->d_name[0] == '.' || listed(p, n, de->d_name))
			continue;
		fd = nd_subdir_open(subnets_fd, de->d_name, false);
		if (fd < 0 || unlinkat(fd, me, 0) < 0)
			continue;
		dropped++;
		unlinkat(subnets_fd, de->d_name, AT_REMOVEDIR); /* only when empty */
	}
	for (size_t i = 0; i < n; i++) {
		_cleanup_(closep) int fd = -1, f = -1;

		subnet_dir_name(&p[i], dir, sizeof(dir));
		fd = nd_subdir_open(subnets_fd, dir, true);
		if (fd < 0)
			return fd;
		f = openat(fd, me, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (f < 0)
			return -errno;
	}
	return dropped;
}

int portmap_subnets_gc(int subnets_fd, const struct cni_ctx *ctx)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int dropped = 0, r = nd_dir_stream(subnets_fd, ".", &d);

	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		_cleanup_(closedirp) DIR *m = NULL;
		struct dirent *me;

		if (de->d_name[0] == '.' || nd_dir_stream(subnets_fd, de->d_name, &m) < 0)
			continue;
		while ((me = readdir(m))) {
			char cid[CNI_MAX_NAME], *dash = strchr(me->d_name, '@');

			if (me->d_name[0] == '.' || !dash ||
			    (size_t)snprintf(cid, sizeof(cid), "%.*s", (int)(dash - me->d_name),
					     me->d_name) >= sizeof(cid))
				continue;
			if (!cni_attachment_valid(ctx, cid, dash + 1) &&
			    unlinkat(dirfd(m), me->d_name, 0) == 0)
				dropped++;
		}
		unlinkat(subnets_fd, de->d_name, AT_REMOVEDIR);
	}
	return dropped;
}

/* Every subnet somebody holds; empty directories (their last holder gone) are removed. */
static int held(int subnets_fd, struct nd_prefix *ret, size_t max)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	size_t n = 0;
	int r = nd_dir_stream(subnets_fd, ".", &d);

	if (r < 0)
		return r;
	while ((de = readdir(d)) && n < max) {
		if (de->d_name[0] == '.' || subnet_dir_parse(de->d_name, &ret[n]) < 0)
			continue;
		if (unlinkat(subnets_fd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
			n++; /* ENOTEMPTY: held */
	}
	return (int)n;
}

static int cmp_prefix(const void *a, const void *b)
{
	return nd_addr_cmp(&((const struct nd_prefix *)a)->addr,
			   &((const struct nd_prefix *)b)->addr);
}

static void range_data(const struct nd_addr *a, struct nd_nft_data *d)
{
	d->len = 0;
	nd_nft_data_put(d, a->bytes, nd_addr_len(a));
}

/* Sorted prefixes to disjoint, non-adjacent ranges (the kernel's interval sets want that). */
static int add_merged(struct nd_nft_txn *txn, const struct nd_prefix *p, size_t n)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < n;) {
		struct nd_addr first = p[i].addr, last = nd_prefix_last(&p[i]);
		struct nd_nft_data lo, hi;

		for (i++; i < n && p[i].addr.family == first.family; i++) {
			struct nd_addr next = nd_addr_add(&last, 1), l = nd_prefix_last(&p[i]);

			if (nd_addr_cmp(&next, &last) < 0 || nd_addr_cmp(&p[i].addr, &next) > 0)
				break; /* last is the family's end, or a gap */
			if (nd_addr_cmp(&l, &last) > 0)
				last = l;
		}
		range_data(&first, &lo);
		range_data(&last, &hi);
		r = nd_nft_elem_add_range(
			txn, first.family == AF_INET6 ? "portmap-subnets6" : "portmap-subnets4",
			&lo, &hi);
	}
	return r;
}

int portmap_subnets_sync(int subnets_fd, struct nd_nft_txn *txn)
{
	_cleanup_(freep) struct nd_prefix *p = calloc(MAX_HELD, sizeof(*p));
	int n, r;

	if (!p)
		return -ENOMEM;
	n = held(subnets_fd, p, MAX_HELD);
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		p[i] = nd_prefix_network(&p[i]);
	qsort(p, (size_t)n, sizeof(*p), cmp_prefix);
	r = nd_nft_set_flush(txn, "portmap-subnets4");
	if (r >= 0)
		r = nd_nft_set_flush(txn, "portmap-subnets6");
	return r < 0 ? r : add_merged(txn, p, (size_t)n);
}
