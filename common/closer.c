// SPDX-License-Identifier: MIT
/* The closer (closer.h): SCM_RIGHTS over an abstract datagram socket, closed on a thread. */
#include "closer.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

/* Enough for one plugin's sockets in one message; more arrive as more messages. */
#define CLOSER_MAX_FDS 8

/* "\0netdock-closer:<run dir>": abstract, so nothing to create, own or clean up in the run dir. */
static int closer_address(const char *run_dir, struct sockaddr_un *ret, socklen_t *ret_len)
{
	char canonical[PATH_MAX];
	int n;

	/* One name however the daemon and the plugins spell the run dir. */
	if (realpath(run_dir, canonical))
		run_dir = canonical;
	memset(ret, 0, sizeof(*ret));
	ret->sun_family = AF_UNIX;
	n = snprintf(ret->sun_path + 1, sizeof(ret->sun_path) - 1, "netdock-closer:%s", run_dir);
	if (n < 0 || (size_t)n >= sizeof(ret->sun_path) - 1)
		return -ENAMETOOLONG;
	*ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
	return 0;
}

int nd_closer_hand_over(const char *run_dir, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control = { 0 };
	char byte = 'c';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	struct sockaddr_un addr;
	_cleanup_(closep) int s = -1;
	int r = closer_address(run_dir, &addr, &msg.msg_namelen);

	if (r < 0)
		return r;
	msg.msg_name = &addr;
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	/* Never block: a closer that does not keep up means closing here, as without one. */
	return sendmsg(s, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/*
 * Why the closer holds sockets before closing them: the sender closes its
 * own copy right after sending and exits within milliseconds, and only the
 * last close of a socket waits. Closing here at once would leave the last
 * one, and the wait, to the sender again.
 */
#define CLOSER_HOLD_MS 1000
#define CLOSER_MAX_HELD 1024

struct held {
	int fd;
	uint64_t due_ms;
};

struct closer {
	int sock;
	struct held held[CLOSER_MAX_HELD];
	size_t first, n; /* a ring, oldest first: every fd is held equally long */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void close_oldest(struct closer *c)
{
	close(c->held[c->first].fd); /* the wait this thread exists for */
	c->first = (c->first + 1) % CLOSER_MAX_HELD;
	c->n--;
	nd_debug("closer: closed a handed-over socket");
}

static void hold(struct closer *c, int fd)
{
	if (c->n == CLOSER_MAX_HELD)
		close_oldest(c);
	c->held[(c->first + c->n) % CLOSER_MAX_HELD] =
		(struct held){ .fd = fd, .due_ms = now_ms() + CLOSER_HOLD_MS };
	c->n++;
}

/* Holds every descriptor a message carried. */
static void hold_carried(struct closer *c, struct msghdr *msg)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(msg); cm; cm = CMSG_NXTHDR(msg, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len < CMSG_LEN(0))
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			hold(c, fd);
		}
	}
}

/* Receives what is queued: 0, or a negative errno when the socket failed. */
static int receive(struct closer *c)
{
	for (;;) {
		union {
			char buf[CMSG_SPACE(CLOSER_MAX_FDS * sizeof(int))];
			struct cmsghdr align;
		} control;
		char byte;
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };

		if (recvmsg(c->sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		hold_carried(c, &msg);
	}
}

static void *closer_thread(void *arg)
{
	struct closer *c = arg;

	for (;;) {
		struct pollfd p = { .fd = c->sock, .events = POLLIN };
		uint64_t now = now_ms();
		int timeout = -1, r;

		while (c->n && c->held[c->first].due_ms <= now)
			close_oldest(c);
		if (c->n)
			timeout = (int)(c->held[c->first].due_ms - now);
		if (poll(&p, 1, timeout) < 0 && errno != EINTR)
			break;
		r = p.revents ? receive(c) : 0;
		if (r < 0) {
			nd_warn("closer: %s; plugins close their sockets themselves now",
				strerror(-r));
			break;
		}
	}
	while (c->n)
		close_oldest(c);
	close(c->sock);
	free(c);
	return NULL;
}

int nd_closer_start(const char *run_dir)
{
	struct sockaddr_un addr;
	socklen_t len;
	pthread_attr_t attr;
	pthread_t t;
	struct closer *c;
	int r = closer_address(run_dir, &addr, &len);

	if (r < 0)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	r = c->sock < 0 || bind(c->sock, (struct sockaddr *)&addr, len) < 0 ? -errno : 0;
	if (r == 0)
		r = -pthread_attr_init(&attr);
	if (r == 0) {
		r = -pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (r == 0)
			r = -pthread_create(&t, &attr, closer_thread, c);
		pthread_attr_destroy(&attr);
	}
	if (r < 0) {
		if (c->sock >= 0)
			close(c->sock);
		free(c);
	}
	return r;
}
