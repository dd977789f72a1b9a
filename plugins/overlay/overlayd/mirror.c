// SPDX-License-Identifier: MIT
/*
 * Remote endpoints as run-dir records (host set to their VTEP), so dnsd
 * answers names, aliases and links across hosts unchanged. Only records
 * with host set are ever replaced or removed here: a local record wins.
 */
#include "overlayd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "rundir.h"

static const struct remote *remote_of(const struct agent *a, const char *net, const char *file)
{
	for (size_t i = 0; i < a->n_remotes; i++)
		if (!strcmp(a->remotes[i].net, net) && !strcmp(a->remotes[i].file, file))
			return &a->remotes[i];
	return NULL;
}

/* 1 remote record, 0 local record, -ENOENT none (or unreadable). */
static int on_disk(int net_fd, const char *file)
{
	struct nd_endpoint_record e;
	int r = nd_endpoint_record_read_file(net_fd, file, &e);

	if (r < 0)
		return -ENOENT;
	r = e.host[0] ? 1 : 0;
	nd_endpoint_record_clear(&e);
	return r;
}

static void write_remote(struct agent *a, int net_fd, const struct remote *r)
{
	int rc;

	if (on_disk(net_fd, r->file) == 0) {
		nd_warn("overlayd: host %s publishes %s/%s, which is a local endpoint here: skipped",
			r->host, r->net, r->file);
		return;
	}
	rc = nd_endpoint_record_write(a->run_fd, r->net, &r->rec);
	if (rc < 0)
		nd_warn("overlayd: writing endpoints/%s/%s: %s", r->net, r->file, strerror(-rc));
}

static void remove_remote(int net_fd, const char *net, const char *file)
{
	if (on_disk(net_fd, file) == 1 && nd_file_remove(net_fd, file) < 0)
		nd_warn("overlayd: removing endpoints/%s/%s: %m", net, file);
}

static int net_dir(struct agent *a, const char *net, bool create)
{
	_cleanup_(closep) int eps = nd_subdir_open(a->run_fd, "endpoints", create);

	return eps < 0 ? eps : nd_subdir_open(eps, net, create);
}

/* Removes every remote record of dir net that etcd (or this host's networks) no longer has. */
static void sweep(struct agent *a, const char *net)
{
	_cleanup_(closep) int fd = net_dir(a, net, false);
	_cleanup_(closedirp) DIR *d = NULL;
	bool local = overlayd_net(a, net) != NULL;
	struct dirent *de;

	if (fd < 0 || nd_dir_stream(fd, ".", &d) < 0)
		return;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (!local || !remote_of(a, net, de->d_name)))
			remove_remote(fd, net, de->d_name);
}

void overlayd_mirror_full(struct agent *a)
{
	_cleanup_(closep) int eps = nd_subdir_open(a->run_fd, "endpoints", true);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (eps >= 0 && nd_dir_stream(eps, ".", &d) == 0)
		while ((de = readdir(d)))
			if (de->d_name[0] != '.' && nd_name_valid(de->d_name))
				sweep(a, de->d_name);
	for (size_t i = 0; i < a->n_remotes; i++) {
		const struct remote *r = &a->remotes[i];
		_cleanup_(closep) int fd = -1;

		if (!overlayd_net(a, r->net))
			continue;
		fd = net_dir(a, r->net, true);
		if (fd >= 0)
			write_remote(a, fd, r);
	}
	a->mirror_full = false;
	a->n_dirty = 0;
}

void overlayd_mirror_dirty(struct agent *a)
{
	for (size_t i = 0; i < a->n_dirty; i++) {
		const struct dirty *dt = &a->dirty[i];
		const struct remote *r = remote_of(a, dt->net, dt->file);
		_cleanup_(closep) int fd = -1;

		if (!overlayd_net(a, dt->net))
			continue;
		fd = net_dir(a, dt->net, true);
		if (fd < 0)
			continue;
		if (r)
			write_remote(a, fd, r);
		else
			remove_remote(fd, dt->net, dt->file);
	}
	a->n_dirty = 0;
}
