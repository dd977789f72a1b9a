// SPDX-License-Identifier: MIT
/* The event loop: one epoll fd, and each ready fd's own handler. Nothing here blocks. */
#include "dnsd.h"

#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "grow.h"
#include "log.h"

static int ignore(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	return 0;
}

void dnsd_loop_retire(struct dnsd *d, struct nd_watch *w, void *owner)
{
	w->fd = -1;
	w->ready = ignore;
	if (nd_grow(&d->retired, &d->cap_retired, d->n_retired, sizeof(*d->retired), 64) < 0) {
		/* Leaking one struct beats a use after free. */
		nd_err("out of memory retiring a watch");
		return;
	}
	d->retired[d->n_retired++] = owner;
}

/* After a round: what was closed during it can no longer be dispatched. */
static void reap(struct dnsd *d)
{
	if (!d->n_retired)
		return;
	for (size_t i = 0; i < d->n_retired; i++)
		free(d->retired[i]);
	d->n_retired = 0;
	if (dnsd_tcp_count(d) == 0) {
		free(d->retired);
		d->retired = NULL;
		d->cap_retired = 0;
		malloc_trim(0); /* the last connection gone: RSS back to its baseline */
	}
}

void dnsd_loop_close(struct dnsd *d)
{
	reap(d);
	free(d->retired);
	d->retired = NULL;
}

int dnsd_loop_add(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(d->epoll_fd, EPOLL_CTL_ADD, w->fd, &ev) < 0 ? -errno : 0;
}

void dnsd_loop_del(struct dnsd *d, struct nd_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(d->epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
}

int dnsd_loop_run(struct dnsd *d)
{
	struct epoll_event events[64];

	while (!d->stop) {
		int n = epoll_wait(d->epoll_fd, events, 64, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		for (int i = 0; i < n && !d->stop; i++) {
			struct nd_watch *w = events[i].data.ptr;
			int r = w->ready(d, w, events[i].events);

			/* A failing handler only logs: one bad packet never stops the server. */
			if (r < 0)
				nd_warn("handler for fd %d: %s", w->fd, strerror(-r));
		}
		reap(d);
	}
	return 0;
}
