// SPDX-License-Identifier: MIT
/*
 * Following the run dir with inotify: networks/ and every endpoints/<net>/.
 * A record renamed into place or removed is re-read on its own; a queue
 * overflow means events were lost, so everything is read again.
 */
#include "dnsd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "rundir.h"

#define MAX_DIRS 4096
#define EVENTS (IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_CREATE)

struct watched {
	int wd;
	char net[CNI_MAX_NAME]; /* "" for networks/, "*" for endpoints/, else the network */
};

struct dnsd_watcher {
	struct nd_watch inotify, signals;
	struct watched dirs[MAX_DIRS];
	size_t n;
};

/*
 * inotify takes a path: the run dir's fd as /proc/self/fd/N, so that the
 * directories above the run dir need not be open to the daemon's user.
 */
static void watch_dir(struct dnsd *d, const char *rel, const char *net)
{
	struct dnsd_watcher *w = d->watcher;
	char path[PATH_MAX];
	int wd;

	if ((size_t)snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", d->run_fd, rel) >=
	    sizeof(path))
		return;
	/* networks/ and endpoints/ exist from the start (made as root); a network's own
	 * directory comes with its first endpoint, seen through the endpoints/ watch. */
	if (!net[0] || !strcmp(net, "*"))
		mkdirat(d->run_fd, rel, 0755);
	wd = inotify_add_watch(w->inotify.fd, path, EVENTS | IN_ONLYDIR);
	if (wd < 0) {
		if (errno != ENOENT || !net[0] || !strcmp(net, "*"))
			nd_warn("%s %s cannot be followed: %s/%s: %s",
				net[0] && strcmp(net, "*") ? "network" : "run dir",
				net[0] && strcmp(net, "*") ? net : rel, d->run_dir, rel,
				strerror(errno));
		return;
	}
	if (w->n == MAX_DIRS)
		return;
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return;
	w->dirs[w->n].wd = wd;
	snprintf(w->dirs[w->n].net, sizeof(w->dirs[0].net), "%s", net);
	w->n++;
}

/* networks/, endpoints/ and endpoints/<net>/ for every network known. */
static void watch_all(struct dnsd *d)
{
	watch_dir(d, "networks", "");
	watch_dir(d, "endpoints", "*");
	for (size_t i = 0; i < d->view.n_nets; i++) {
		char rel[CNI_MAX_NAME + 16];

		snprintf(rel, sizeof(rel), "endpoints/%s", d->view.nets[i].rec.name);
		watch_dir(d, rel, d->view.nets[i].rec.name);
	}
}

static const struct watched *lookup(const struct dnsd_watcher *w, int wd)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->dirs[i].wd == wd)
			return &w->dirs[i];
	return NULL;
}

/*
 * Reads everything, watches every endpoint directory now known, and reads
 * again: a record written before its directory was watched is not missed.
 */
static int reload(struct dnsd *d)
{
	int r = dnsd_view_load(d);

	watch_all(d);
	if (r >= 0)
		r = dnsd_view_load(d);
	dnsd_listeners_sync(d);
	return r;
}

int dnsd_watch_sync(struct dnsd *d)
{
	return reload(d);
}

static int handle_event(struct dnsd *d, const struct inotify_event *ev)
{
	const struct watched *dir = lookup(d->watcher, ev->wd);

	if (ev->mask & IN_Q_OVERFLOW)
		return reload(d);
	if (!dir || !ev->len || ev->name[0] == '.')
		return 0; /* temporaries of atomic writes */
	if (!dir->net[0])
		return reload(d); /* network records change rarely: read everything */
	if (!strcmp(dir->net, "*")) {
		if (nd_name_valid(ev->name) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
			char rel[ND_NAME_MAX + 16];

			snprintf(rel, sizeof(rel), "endpoints/%s", ev->name);
			watch_dir(d, rel, ev->name);
			return reload(d); /* files may have landed before the watch */
		}
		return 0;
	}
	if (ev->mask & (IN_CREATE) && !(ev->mask & IN_ISDIR))
		return 0; /* wait for close or rename */
	return dnsd_view_update_endpoint(d, dir->net, ev->name);
}

static int on_inotify(struct dnsd *d, struct nd_watch *nw, uint32_t events)
{
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n = read(nw->fd, buf, sizeof(buf));

	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (char *p = buf; p < buf + n;) {
		const struct inotify_event *ev = (const struct inotify_event *)p;
		int r = handle_event(d, ev);

		if (r < 0)
			nd_warn("reading run-dir change %s: %s", ev->len ? ev->name : "",
				strerror(-r));
		p += sizeof(*ev) + ev->len;
	}
	return 0;
}

static int on_signal(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo == SIGHUP)
		return reload(d);
	nd_info("signal %u: stopping", si.ssi_signo);
	d->stop = true;
	return 0;
}

int dnsd_watch_init(struct dnsd *d)
{
	struct dnsd_watcher *w = calloc(1, sizeof(*w));
	sigset_t mask;
	int r;

	if (!w)
		return -ENOMEM;
	d->watcher = w;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	w->signals = (struct nd_watch){ .fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC),
					.ready = on_signal };
	w->inotify = (struct nd_watch){ .fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC),
					.ready = on_inotify };
	if (w->signals.fd < 0 || w->inotify.fd < 0)
		return -errno;
	watch_all(d);
	r = dnsd_loop_add(d, &w->inotify, EPOLLIN);
	return r < 0 ? r : dnsd_loop_add(d, &w->signals, EPOLLIN);
}

void dnsd_watch_close(struct dnsd *d)
{
	if (!d->watcher)
		return;
	close(d->watcher->inotify.fd);
	close(d->watcher->signals.fd);
	free(d->watcher);
	d->watcher = NULL;
}
