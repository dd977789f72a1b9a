// SPDX-License-Identifier: MIT
/* The event loop: one epoll fd, and each ready fd's own handler. Nothing here blocks. */
#include "dnsd.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"

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
	}
	return 0;
}
