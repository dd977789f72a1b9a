// SPDX-License-Identifier: MIT
/*
 * The kernel's XFRM notifications, for an agent that keeps SAs and policies
 * in place: whether something may have undone them (an SA deleted, updated,
 * expired or flushed; a policy added, changed, deleted or flushed, by
 * anyone). Nothing is read past the headers: the agent answers with a pass
 * that reads the kernel's state itself.
 */
#include "xfrm.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

int nd_xfrm_monitor_open(int *ret_fd)
{
	/* SA and policy changes, and expiries (netdock's SAs never expire; others' may be ours). */
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = XFRMGRP_SA | XFRMGRP_POLICY | XFRMGRP_EXPIRE };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_XFRM), r;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* A new SA breaks nothing (netdock adds its own by the dozen); the rest may have. */
static bool may_undo(uint16_t type)
{
	switch (type) {
	case XFRM_MSG_DELSA:
	case XFRM_MSG_UPDSA:
	case XFRM_MSG_FLUSHSA:
	case XFRM_MSG_EXPIRE:
	case XFRM_MSG_NEWPOLICY:
	case XFRM_MSG_UPDPOLICY:
	case XFRM_MSG_DELPOLICY:
	case XFRM_MSG_FLUSHPOLICY:
	case XFRM_MSG_POLEXPIRE:
		return true;
	default:
		return false;
	}
}

/*
 * Not mnl_nlmsg_ok/next: a length near UINT32_MAX passes their int
 * comparison and aligns to a step of 0 (the fuzzer found it looping).
 */
bool nd_xfrm_monitor_news(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)p;
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			return false;
		if (may_undo(h->nlmsg_type))
			return true;
		step = NLMSG_ALIGN((size_t)h->nlmsg_len);
		if (step >= len)
			return false;
		p += step;
		len -= step;
	}
	return false;
}

int nd_xfrm_monitor_drain(int fd)
{
	/* Notifications of SAs carry their keys: the buffer is wiped before it goes. */
	uint8_t buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool news = false;
	int r = 0;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			news = true; /* the socket overran: some were lost */
			continue;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				r = -errno;
			break;
		}
		/* A message longer than the buffer was cut: whatever it said, look. */
		news = news || (size_t)n > sizeof(buf) || nd_xfrm_monitor_news(buf, (size_t)n);
	}
	explicit_bzero(buf, sizeof(buf));
	return r < 0 ? r : news;
}
