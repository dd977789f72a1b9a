// SPDX-License-Identifier: MIT
/* The run dir in memory: network and endpoint records, re-read one file at a time. */
#include "dnsd.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "grow.h"
#include "log.h"
#include "rundir.h"

static void ep_free(struct dnsd_ep *ep)
{
	free(ep);
}

void dnsd_view_free(struct dnsd_view *v)
{
	for (size_t i = 0; i < v->n_nets; i++)
		nd_net_record_clear(&v->nets[i].rec);
	for (size_t i = 0; i < v->n_eps; i++)
		ep_free(v->eps[i]);
	free(v->nets);
	free(v->eps);
	dnsd_index_free(v->index);
	*v = (struct dnsd_view){ .generation = v->generation };
}

static bool is_record(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".json");
}

/* A record it cannot read is named with the errno: a name that does not resolve has a reason. */
static int read_ep(struct dnsd *d, int dirfd, const char *net_name, const char *file, size_t net,
		   struct dnsd_ep **ret)
{
	struct nd_endpoint_record *rec = calloc(1, sizeof(*rec));
	int r;

	if (!rec)
		return -ENOMEM;
	r = nd_endpoint_record_read_file(dirfd, file, rec);
	if (r < 0) {
		if (r != -ENOENT) /* removed since the event: not a failure */
			nd_warn("cannot read endpoint record %s/endpoints/%s/%s: %s", d->run_dir,
				net_name, file, strerror(-r));
		free(rec);
		return r;
	}
	r = dnsd_ep_new(rec, file, net, ret);
	nd_endpoint_record_clear(rec);
	free(rec);
	if (r < 0)
		return r;
	dnsd_netns_track(d, *ret);
	return 0;
}

static int push_ep(struct dnsd_view *v, struct dnsd_ep *ep)
{
	int r = nd_grow(&v->eps, &v->cap_eps, v->n_eps, sizeof(*v->eps), 64);

	if (r < 0)
		return r;
	v->eps[v->n_eps++] = ep;
	return 0;
}

/*
 * endpoints/<net>/ through the run-dir fd opened before privileges were
 * dropped: the path above the run dir may be closed to the daemon's user.
 */
static int open_net_dir(struct dnsd *d, const char *net)
{
	char rel[ND_NAME_MAX + 16];
	int fd;

	if (!nd_name_valid(net))
		return -EINVAL;
	snprintf(rel, sizeof(rel), "endpoints/%s", net);
	fd = nd_subdir_open(d->run_fd, rel, false);
	if (fd < 0 && fd != -ENOENT) /* ENOENT: no endpoint yet */
		nd_warn("network %s cannot be served: %s/%s: %s", net, d->run_dir, rel,
			strerror(-fd));
	return fd;
}

static void load_endpoints(struct dnsd *d, size_t net)
{
	_cleanup_(closedirp) DIR *dir = NULL;
	struct dirent *de;
	const char *name = d->view.nets[net].rec.name;
	_cleanup_(closep) int fd = open_net_dir(d, name);
	int r;

	if (fd < 0)
		return;
	r = nd_dir_stream(fd, ".", &dir);
	if (r < 0) {
		nd_warn("network %s cannot be served: listing %s/endpoints/%s: %s", name,
			d->run_dir, name, strerror(-r));
		return;
	}
	while ((de = readdir(dir))) {
		struct dnsd_ep *ep;

		if (is_record(de->d_name) &&
		    read_ep(d, dirfd(dir), name, de->d_name, net, &ep) == 0 &&
		    push_ep(&d->view, ep) < 0)
			ep_free(ep);
	}
}

static int load_networks(struct dnsd *d, int nets_fd)
{
	_cleanup_(closedirp) DIR *dir = fdopendir(nets_fd);
	struct dirent *de;
	size_t cap = 0;

	if (!dir) {
		close(nets_fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		struct dnsd_net *n;
		_cleanup_(freep) char *text = NULL;
		size_t len = 0;
		int r;

		if (!is_record(de->d_name))
			continue;
		r = nd_file_read(dirfd(dir), de->d_name, ND_RECORD_FILE_MAX, &text, &len);
		if (r < 0) {
			if (r != -ENOENT)
				nd_warn("network record %s/networks/%s cannot be read, its network "
					"is not served: %s",
					d->run_dir, de->d_name, strerror(-r));
			continue;
		}
		if (d->view.n_nets == cap) {
			struct dnsd_net *bigger;

			cap = cap ? cap * 2 : 16;
			bigger = realloc(d->view.nets, cap * sizeof(*bigger));
			if (!bigger)
				return -ENOMEM;
			d->view.nets = bigger;
		}
		n = &d->view.nets[d->view.n_nets];
		memset(n, 0, sizeof(*n));
		if (nd_net_record_parse(text, len, &n->rec) < 0) {
			nd_warn("network record %s/networks/%s is malformed, its network is not "
				"served",
				d->run_dir, de->d_name);
			continue;
		}
		snprintf(n->file, sizeof(n->file), "%s", de->d_name);
		d->view.n_nets++;
	}
	return 0;
}

int dnsd_view_rebuild_index(struct dnsd *d)
{
	/* The loop is single-threaded: rebuilding in place never races a query. */
	int r = dnsd_index_build(&d->view, &d->view.index);

	if (r < 0)
		return r;
	d->view.generation++;
	return 0;
}

int dnsd_view_load(struct dnsd *d)
{
	int fd, r;

	dnsd_view_free(&d->view);
	fd = nd_subdir_open(d->run_fd, "networks", false);
	if (fd >= 0) {
		r = load_networks(d, fd);
		if (r < 0)
			return r;
	} else if (fd != -ENOENT) {
		nd_warn("no network can be served: %s/networks: %s", d->run_dir, strerror(-fd));
	}
	for (size_t i = 0; i < d->view.n_nets; i++)
		load_endpoints(d, i);
	r = dnsd_view_rebuild_index(d);
	malloc_trim(0); /* what reading and parsing every record left free goes back */
	return r;
}

static ssize_t net_index(const struct dnsd_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_nets; i++)
		if (!strcmp(v->nets[i].rec.name, name))
			return (ssize_t)i;
	return -1;
}

int dnsd_view_update_endpoint(struct dnsd *d, const char *net, const char *file)
{
	struct dnsd_view *v = &d->view;
	ssize_t ni = net_index(v, net);
	struct dnsd_ep *ep = NULL;
	_cleanup_(closep) int fd = -1;
	bool incremental = true;

	if (ni < 0)
		return dnsd_view_load(d); /* endpoint before its network: read everything */
	for (size_t i = 0; i < v->n_eps; i++)
		if (v->eps[i]->net == (size_t)ni && !strcmp(v->eps[i]->file, file)) {
			dnsd_index_remove_ep(v->index, v->eps[i]);
			ep_free(v->eps[i]);
			v->eps[i] = v->eps[--v->n_eps];
			break;
		}
	fd = open_net_dir(d, net);
	if (fd >= 0 && is_record(file) && read_ep(d, fd, net, file, (size_t)ni, &ep) == 0) {
		if (push_ep(v, ep) < 0)
			ep_free(ep);
		else
			incremental = dnsd_index_add_ep(v->index, ep) == 0;
	}
	/* One record changed: its index items are replaced in place, not all 10,000. */
	if (!incremental)
		return dnsd_view_rebuild_index(d);
	v->generation++;
	return 0;
}
