// SPDX-License-Identifier: MIT
/*
 * Endpoints whose network namespace is gone answer nothing, as in Docker once
 * the container died, even before the runtime's DEL. Nothing is polled: a
 * netns file (/run/netns/<name>) is followed with inotify on its directory,
 * so its removal or return is one event and one index lookup; a process's
 * netns (/proc/<pid>/ns/net) with a pidfd, readable once the process exits.
 */
#include "dnsd.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "grow.h"
#include "log.h"

#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)

struct netns_dir {
	int wd; /* several paths may name one directory (/var/run/netns, /run/netns) */
	char path[PATH_MAX];
};

struct netns_pid {
	struct nd_watch w; /* a pidfd */
	int pid;
	char path[32];
	struct netns_pid *next;
};

struct dnsd_netns {
	struct nd_watch inotify;
	struct netns_dir *dirs;
	size_t n_dirs, cap_dirs;
	struct netns_pid *pids;
};

/* The view owns its endpoints; the index hands them out read-only. */
static void mark(void *data, const struct dnsd_ep *ep)
{
	((struct dnsd_ep *)ep)->gone = *(const bool *)data;
}

static void set_gone(struct dnsd *d, const char *path, bool gone)
{
	dnsd_index_netns_each(d->view.index, path, mark, &gone);
	d->view.generation++;
}

static int on_dir_event(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	char buf[16 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct dnsd_netns *ns = d->netns;
	ssize_t n = read(w->fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (char *p = buf; p < buf + n;) {
		const struct inotify_event *ev = (const struct inotify_event *)p;
		bool gone = ev->mask & (IN_DELETE | IN_MOVED_FROM);

		for (size_t i = 0; ev->len && i < ns->n_dirs; i++) {
			char path[PATH_MAX + NAME_MAX + 2];

			if (ns->dirs[i].wd != ev->wd)
				continue;
			snprintf(path, sizeof(path), "%s/%s", ns->dirs[i].path, ev->name);
			set_gone(d, path, gone);
		}
		p += sizeof(*ev) + ev->len;
	}
	return 0;
}

/* Watches dir once per spelling; returns false when it cannot be followed. */
static bool watch_dir(struct dnsd *d, const char *dir)
{
	struct dnsd_netns *ns = d->netns;
	int wd;

	for (size_t i = 0; i < ns->n_dirs; i++)
		if (!strcmp(ns->dirs[i].path, dir))
			return true;
	wd = inotify_add_watch(ns->inotify.fd, dir, DIR_EVENTS | IN_ONLYDIR);
	if (wd < 0) {
		nd_warn("netns directory %s cannot be followed: %s", dir, strerror(errno));
		return false;
	}
	if (nd_grow(&ns->dirs, &ns->cap_dirs, ns->n_dirs, sizeof(*ns->dirs), 4) < 0)
		return false;
	ns->dirs[ns->n_dirs].wd = wd;
	snprintf(ns->dirs[ns->n_dirs].path, sizeof(ns->dirs[0].path), "%s", dir);
	ns->n_dirs++;
	return true;
}

static int on_pid_exit(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct netns_pid *p = (struct netns_pid *)w;

	set_gone(d, p->path, true);
	for (struct netns_pid **pp = &d->netns->pids; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	dnsd_loop_del(d, &p->w);
	close(p->w.fd);
	dnsd_loop_retire(d, &p->w, p);
	return 0;
}

/* /proc/<pid>/ns/net: alive while the process is; a pidfd says when it exits. */
static bool track_pid(struct dnsd *d, int pid)
{
	struct netns_pid *p;
	int fd;

	for (p = d->netns->pids; p; p = p->next)
		if (p->pid == pid)
			return true;
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return false; /* ESRCH: the process, and its netns, are gone */
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return true;
	}
	p->w = (struct nd_watch){ .fd = fd, .ready = on_pid_exit };
	p->pid = pid;
	snprintf(p->path, sizeof(p->path), "/proc/%d/ns/net", pid); /* as the record has it */
	if (dnsd_loop_add(d, &p->w, EPOLLIN) < 0) {
		close(fd);
		free(p);
		return true;
	}
	p->next = d->netns->pids;
	d->netns->pids = p;
	return true;
}

void dnsd_netns_track(struct dnsd *d, struct dnsd_ep *ep)
{
	const char *path = ep->netns;
	char dir[PATH_MAX], tail;
	int pid;

	/* Remote (overlay) endpoints and records without a netns are never gone. */
	if (!d->netns || ep->remote || path[0] != '/')
		return;
	if (sscanf(path, "/proc/%d/ns/ne%c", &pid, &tail) == 2 && tail == 't') {
		ep->gone = !track_pid(d, pid);
		return;
	}
	if ((size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return;
	/* Watch first, then look: a removal in between is an event, not a miss. */
	if (watch_dir(d, dirname(dir)))
		ep->gone = access(path, F_OK) < 0 && errno == ENOENT;
}

int dnsd_netns_init(struct dnsd *d)
{
	struct dnsd_netns *ns = calloc(1, sizeof(*ns));

	if (!ns)
		return -ENOMEM;
	d->netns = ns;
	ns->inotify = (struct nd_watch){ .fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC),
					 .ready = on_dir_event };
	if (ns->inotify.fd < 0)
		return -errno;
	return dnsd_loop_add(d, &ns->inotify, EPOLLIN);
}

void dnsd_netns_close(struct dnsd *d)
{
	struct dnsd_netns *ns = d->netns;

	if (!ns)
		return;
	while (ns->pids) {
		struct netns_pid *p = ns->pids;

		ns->pids = p->next;
		close(p->w.fd);
		free(p);
	}
	if (ns->inotify.fd >= 0)
		close(ns->inotify.fd);
	free(ns->dirs);
	free(ns);
	d->netns = NULL;
}
