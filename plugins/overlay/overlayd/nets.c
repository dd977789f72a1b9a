// SPDX-License-Identifier: MIT
/* This host's overlay networks, from overlay/<net>.json, and inotify on what changes them. */
#include "overlayd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>

#include "cleanup.h"
#include "link.h"
#include "log.h"
#include "rundir.h"

#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE)

static void watch_dir(struct agent *a, const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", a->run_dir, rel);
	/* A directory watched already keeps its watch: no duplicate. */
	if (inotify_add_watch(a->ino_fd, path, WATCH_MASK | IN_ONLYDIR) < 0 && errno != ENOENT)
		nd_warn("overlayd: inotify on %s: %m", path);
}

void overlayd_nets_clear(struct agent *a)
{
	free(a->nets);
	a->nets = NULL;
	a->n_nets = 0;
}

const struct local_net *overlayd_net(const struct agent *a, const char *name)
{
	for (size_t i = 0; i < a->n_nets; i++)
		if (!strcmp(a->nets[i].o.name, name))
			return &a->nets[i];
	return NULL;
}

static void net_add(struct agent *a, const struct nd_overlay_record *o)
{
	struct local_net *v = realloc(a->nets, (a->n_nets + 1) * sizeof(*v));
	char rel[CNI_MAX_NAME + 16];
	int ifindex;

	if (!v)
		return;
	a->nets = v;
	ifindex = nd_link_index(a->nl, o->vxlan);
	v[a->n_nets++] = (struct local_net){ .o = *o, .ifindex = ifindex > 0 ? ifindex : 0 };
	snprintf(rel, sizeof(rel), "endpoints/%s", o->name);
	watch_dir(a, rel);
}

/* Reloads the list; returns 1 when it changed (the mirror and kernel need a full pass). */
int overlayd_nets_load(struct agent *a)
{
	_cleanup_(closep) int dir = nd_subdir_open(a->run_fd, "overlay", true);
	_cleanup_(closedirp) DIR *d = NULL;
	struct local_net *old = a->nets;
	size_t n_old = a->n_nets;
	struct dirent *de;
	bool changed;

	watch_dir(a, "overlay");
	watch_dir(a, "endpoints");
	a->nets = NULL;
	a->n_nets = 0;
	if (dir >= 0 && nd_dir_stream(dir, ".", &d) == 0) {
		while ((de = readdir(d))) {
			struct nd_overlay_record o;
			size_t len = strlen(de->d_name);
			char net[CNI_MAX_NAME];

			if (de->d_name[0] == '.' || len < 6 ||
			    strcmp(de->d_name + len - 5, ".json") || len - 5 >= sizeof(net))
				continue;
			snprintf(net, sizeof(net), "%.*s", (int)(len - 5), de->d_name);
			if (nd_overlay_record_read(a->run_fd, net, &o) == 0 && !strcmp(o.name, net))
				net_add(a, &o);
		}
	}
	changed = n_old != a->n_nets;
	for (size_t i = 0; !changed && i < n_old; i++)
		changed = memcmp(&old[i], &a->nets[i], sizeof(old[i])) != 0;
	free(old);
	return changed;
}
