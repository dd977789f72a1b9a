// SPDX-License-Identifier: MIT
/*
 * File lease store. <lib>/ipam/<net>/ holds:
 *   lock                 flock for every mutation (released by the kernel if we die)
 *   addr/<address>       "containerID\nifname\n": the lease, created by link() so it
 *                        appears whole or not at all, and never twice
 *   owner/<cid>-<ifname> "@cid ifname" then the addresses of one attachment, written
 *                        before the leases (so DEL after a crash finds what to free
 *                        without a scan)
 *   hint-<first>-<last>  allocation cursor and bitmap of one range: a hint only,
 *                        the addr/ files are the truth and win any disagreement
 */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "lock.h"
#include "rundir.h"
#include "store-hint.h"

struct ipam_store {
	int dirfd;
	int addr_fd;
	int owner_fd;
	int lock_fd;
};

ND_CLEANUP(struct ipam_store *, ipam_store_close)

void ipam_store_close(struct ipam_store *s)
{
	if (!s)
		return;
	closep(&s->addr_fd);
	closep(&s->owner_fd);
	closep(&s->dirfd);
	closep(&s->lock_fd);
	free(s);
}

int ipam_store_open(const char *lib_dir, const char *net, struct ipam_store **ret)
{
	_cleanup_(ipam_store_closep) struct ipam_store *s = NULL;
	_cleanup_(closep) int lib = -1, ipam = -1;

	if (!nd_name_valid(net))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dirfd = s->addr_fd = s->owner_fd = s->lock_fd = -1;
	lib = nd_dir_open(lib_dir, true);
	if (lib < 0)
		return lib;
	ipam = nd_subdir_open(lib, "ipam", true);
	if (ipam < 0)
		return ipam;
	s->dirfd = nd_subdir_open(ipam, net, true);
	if (s->dirfd < 0)
		return s->dirfd;
	s->lock_fd = nd_lock_take(s->dirfd, "lock");
	if (s->lock_fd < 0)
		return s->lock_fd;
	s->addr_fd = nd_subdir_open(s->dirfd, "addr", true);
	if (s->addr_fd < 0)
		return s->addr_fd;
	s->owner_fd = nd_subdir_open(s->dirfd, "owner", true);
	if (s->owner_fd < 0)
		return s->owner_fd;
	*ret = steal_ptr(s);
	return 0;
}

static int owner_name(const char *cid, const char *ifname, char *buf, size_t size)
{
	if (!nd_name_valid(cid) || !nd_name_valid(ifname))
		return -EINVAL;
	return (size_t)snprintf(buf, size, "%s-%s", cid, ifname) >= size ? -ENAMETOOLONG : 0;
}

int ipam_store_owned(struct ipam_store *s, const char *cid, const char *ifname, struct nd_addr *ret,
		     size_t max)
{
	_cleanup_(freep) char *text = NULL;
	char name[2 * ND_NAME_MAX], *save = NULL;
	size_t n = 0;
	int r = owner_name(cid, ifname, name, sizeof(name));

	if (r < 0)
		return r;
	r = nd_file_read(s->owner_fd, name, 64 * 1024, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* A line that does not parse is a torn or foreign file: ignore that line. */
	for (char *l = strtok_r(text, "\n", &save); l && n < max; l = strtok_r(NULL, "\n", &save))
		if (nd_addr_parse(l, &ret[n]) == 0)
			n++;
	return (int)n;
}

int ipam_store_set_owned(struct ipam_store *s, const char *cid, const char *ifname,
			 const struct nd_addr *addrs, size_t n)
{
	char name[2 * ND_NAME_MAX], text[CNI_MAX_IPS * (ND_ADDR_STRLEN + 1) + 2 * CNI_MAX_NAME];
	size_t len = 0;
	int r = owner_name(cid, ifname, name, sizeof(name));

	if (r < 0)
		return r;
	if (n == 0)
		return nd_file_remove(s->owner_fd, name);
	len = (size_t)snprintf(text, sizeof(text), "@%s %s\n", cid, ifname);
	for (size_t i = 0; i < n && i < CNI_MAX_IPS; i++) {
		char a[ND_ADDR_STRLEN];

		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n",
					nd_addr_to_str(&addrs[i], a));
	}
	/* Not fsynced: after a power loss GC rebuilds from the lease files (sweep). */
	return nd_file_replace(s->owner_fd, name, text, len);
}

int ipam_store_holder(struct ipam_store *s, const struct nd_addr *a, struct cni_attachment *ret)
{
	_cleanup_(freep) char *text = NULL;
	char name[ND_ADDR_STRLEN], *nl;
	int r = nd_file_read(s->addr_fd, nd_addr_to_str(a, name), 4096, &text, NULL);

	if (r < 0)
		return r;
	memset(ret, 0, sizeof(*ret));
	nl = strchr(text, '\n');
	if (nl) {
		*nl = '\0';
		snprintf(ret->ifname, sizeof(ret->ifname), "%.*s", (int)strcspn(nl + 1, "\n"),
			 nl + 1);
	}
	snprintf(ret->container_id, sizeof(ret->container_id), "%s", text);
	return 0;
}

/* Writes the lease under a temporary name, then link()s it: it exists whole or not at all. */
int ipam_store_reserve(struct ipam_store *s, const struct nd_addr *a, const char *cid,
		       const char *ifname)
{
	char name[ND_ADDR_STRLEN], tmp[ND_ADDR_STRLEN + 32], text[2 * CNI_MAX_NAME];
	struct cni_attachment holder;
	int len = snprintf(text, sizeof(text), "%s\n%s\n", cid, ifname), r;

	nd_addr_to_str(a, name);
	snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
	/* The lease exists once link() returns; its content only names the holder. */
	r = nd_file_replace(s->addr_fd, tmp, text, (size_t)len);
	if (r < 0)
		return r;
	r = linkat(s->addr_fd, tmp, s->addr_fd, name, 0) < 0 ? -errno : 0;
	unlinkat(s->addr_fd, tmp, 0);
	if (r != -EEXIST)
		return r;
	if (ipam_store_holder(s, a, &holder) == 0 && !strcmp(holder.container_id, cid) &&
	    !strcmp(holder.ifname, ifname))
		return 0;
	return -EEXIST;
}

int ipam_store_release(struct ipam_store *s, const struct nd_addr *a, const char *cid,
		       const char *ifname)
{
	struct cni_attachment holder;
	char name[ND_ADDR_STRLEN];
	int r = ipam_store_holder(s, a, &holder);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (strcmp(holder.container_id, cid) || strcmp(holder.ifname, ifname))
		return 0;
	r = nd_file_remove(s->addr_fd, nd_addr_to_str(a, name));
	if (r >= 0)
		ipam_hint_release(s->dirfd, a);
	return r;
}

int ipam_store_allocate(struct ipam_store *s, const struct ipam_range *r, const char *cid,
			const char *ifname, ipam_intent_fn intent, void *data, struct nd_addr *ret)
{
	_cleanup_(ipam_hint_freep) struct ipam_hint *h = NULL;
	struct nd_addr a;
	int e = ipam_hint_open(s->dirfd, s->addr_fd, r, &h);

	if (e < 0)
		return e;
	for (;;) {
		e = ipam_hint_next(h, &a);
		if (e >= 0)
			e = intent(data, &a);
		if (e < 0)
			return e;
		e = ipam_store_reserve(s, &a, cid, ifname);
		if (e != -EEXIST)
			break;
		ipam_hint_mark(h, &a); /* the hint was stale: the lease file wins */
	}
	if (e < 0)
		return e;
	ipam_hint_mark(h, &a);
	e = ipam_hint_save(h);
	if (e < 0)
		return e;
	*ret = a;
	return 0;
}

int ipam_store_has_room(struct ipam_store *s, const struct ipam_range *r)
{
	_cleanup_(ipam_hint_freep) struct ipam_hint *h = NULL;
	struct nd_addr a;
	int e = ipam_hint_open(s->dirfd, s->addr_fd, r, &h);

	if (e < 0)
		return e;
	e = ipam_hint_next(h, &a);
	return e == -ENOSPC ? 0 : e < 0 ? e : 1;
}

/* The "@cid ifname" header names the attachment; the file name alone is ambiguous. */
static int owner_header(int owner_fd, const char *name, struct cni_attachment *ret)
{
	_cleanup_(freep) char *text = NULL;
	char cid[CNI_MAX_NAME], ifname[IFNAMSIZ];
	int r = nd_file_read(owner_fd, name, 64 * 1024, &text, NULL);

	if (r < 0)
		return r;
	if (sscanf(text, "@%255s %15s", cid, ifname) != 2)
		return -EINVAL;
	snprintf(ret->container_id, sizeof(ret->container_id), "%s", cid);
	snprintf(ret->ifname, sizeof(ret->ifname), "%s", ifname);
	return 0;
}

int ipam_store_owners(struct ipam_store *s, struct cni_attachment **ret)
{
	_cleanup_(closedirp) DIR *d = NULL;
	_cleanup_(freep) struct cni_attachment *list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int r = nd_dir_stream(s->owner_fd, ".", &d);

	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			struct cni_attachment *bigger;

			cap = cap ? cap * 2 : 64;
			bigger = realloc(list, cap * sizeof(*bigger));
			if (!bigger)
				return -ENOMEM;
			list = bigger;
		}
		if (owner_header(s->owner_fd, de->d_name, &list[n]) == 0)
			n++;
	}
	*ret = steal_ptr(list);
	return (int)n;
}

static bool kept(const struct cni_attachment *keep, size_t n, const struct cni_attachment *a)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(keep[i].container_id, a->container_id) &&
		    !strcmp(keep[i].ifname, a->ifname))
			return true;
	return false;
}

/* Temporaries of writers killed before their rename; safe to drop under the lock. */
static void sweep_temporaries(int dirfd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (nd_dir_stream(dirfd, ".", &d) < 0)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd, de->d_name, 0);
}

int ipam_store_sweep(struct ipam_store *s, const struct cni_attachment *keep, size_t n)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int removed = 0, r = nd_dir_stream(s->addr_fd, ".", &d);

	if (r < 0)
		return r;
	while ((de = readdir(d))) {
		struct cni_attachment holder;
		struct nd_addr a;

		if (nd_addr_parse(de->d_name, &a) < 0)
			continue;
		if (ipam_store_holder(s, &a, &holder) < 0 || kept(keep, n, &holder))
			continue;
		if (ipam_store_release(s, &a, holder.container_id, holder.ifname) >= 0)
			removed++;
	}
	sweep_temporaries(s->addr_fd);
	sweep_temporaries(s->owner_fd);
	sweep_temporaries(s->dirfd);
	return removed;
}

/* Empties dirfd of hint files; any other entry means the store is still in use. */
static int remove_hints(int dirfd)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r = nd_dir_stream(dirfd, ".", &d);

	while (r >= 0 && (de = readdir(d)))
		if (!strncmp(de->d_name, "hint-", 5) && unlinkat(dirfd, de->d_name, 0) < 0)
			r = -errno;
	return r;
}

int ipam_store_destroy(const char *lib_dir, const char *net)
{
	_cleanup_(ipam_store_closep) struct ipam_store *s = NULL;
	_cleanup_(closep) int lib = -1, ipam = -1;
	int r;

	if (!nd_name_valid(net))
		return -EINVAL;
	lib = nd_dir_open(lib_dir, false);
	ipam = lib < 0 ? lib : nd_subdir_open(lib, "ipam", false);
	if (ipam < 0 || faccessat(ipam, net, F_OK, 0) < 0)
		return 0;
	r = ipam_store_open(lib_dir, net, &s);
	if (r < 0)
		return r;
	/* rmdir refuses a directory with a lease or an owner record in it: nothing is lost. */
	if (unlinkat(s->dirfd, "addr", AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	if (unlinkat(s->dirfd, "owner", AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	r = remove_hints(s->dirfd);
	if (r >= 0 && unlinkat(s->dirfd, "lock", 0) < 0)
		r = -errno;
	if (r >= 0 && unlinkat(ipam, net, AT_REMOVEDIR) < 0)
		r = -errno;
	return r;
}
