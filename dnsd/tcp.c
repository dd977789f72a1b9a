// SPDX-License-Identifier: MIT
/*
 * DNS over TCP that a client cannot hold hostage (RFC 7766 6.2.3): a
 * connection idle (or stalled half way through a message) for
 * DNSD_TCP_IDLE_MS is closed; past the cap the least recently active
 * connection without a message in flight goes first; and a connection holds
 * a buffer only while a message is arriving, sized to that message.
 */
#include "dnsd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define TCP_MAX_MSG 65535
#define TICK_MS 250

struct tcp_conn {
	struct nd_watch w;
	size_t net_index; /* copied: the listener may close before the connection */
	struct sockaddr_storage peer;
	uint8_t prefix[2];
	size_t got; /* bytes of prefix + message read so far */
	uint8_t *msg; /* only while a message is arriving */
	uint64_t last; /* last activity, ms */
	struct tcp_conn *prev, *next; /* least recently active first */
};

struct dnsd_tcp {
	struct nd_watch timer;
	struct tcp_conn *head, *tail;
	size_t n;
	bool armed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void unlink_conn(struct dnsd_tcp *t, struct tcp_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	c->prev = c->next = NULL;
}

static void append_conn(struct dnsd_tcp *t, struct tcp_conn *c)
{
	c->prev = t->tail;
	c->next = NULL;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
}

/* The tick runs only while connections exist: an idle server does not wake up. */
static void arm(struct dnsd_tcp *t, bool on)
{
	struct itimerspec its = { 0 };

	if (t->armed == on)
		return;
	if (on)
		its.it_interval = its.it_value = (struct timespec){ 0, TICK_MS * 1000000L };
	timerfd_settime(t->timer.fd, 0, &its, NULL);
	t->armed = on;
}

static void conn_close(struct dnsd *d, struct tcp_conn *c)
{
	struct dnsd_tcp *t = d->tcp;

	dnsd_forward_cancel(d, c->w.fd);
	dnsd_loop_del(d, &c->w);
	close(c->w.fd);
	unlink_conn(t, c);
	free(c->msg);
	c->msg = NULL;
	/* Its event may still be in this round of epoll_wait: freed after the round. */
	dnsd_loop_retire(d, &c->w, c);
	if (--t->n == 0)
		arm(t, false);
}

static void touch(struct dnsd_tcp *t, struct tcp_conn *c)
{
	c->last = now_ms();
	unlink_conn(t, c);
	append_conn(t, c);
}

/* Answers the message in c->msg; false when the connection must close. */
static bool serve_one(struct dnsd *d, struct tcp_conn *c, size_t len)
{
	uint8_t out[2 + TCP_MAX_MSG];
	struct nd_addr src;
	size_t n;

	dnsd_sockaddr_addr(&c->peer, &src);
	n = dnsd_answer(d, c->net_index, &src, c->msg, len, out + 2, sizeof(out) - 2, true);
	if (n == 0)
		return dnsd_forward(d, c->net_index, c->msg, len, c->w.fd, &c->peer,
				    sizeof(c->peer), true) != -EINVAL;
	if (n == SIZE_MAX)
		return true;
	out[0] = (uint8_t)(n >> 8);
	out[1] = (uint8_t)n;
	/* A client that does not read its answers is not waited for. */
	return send(c->w.fd, out, n + 2, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)(n + 2);
}

/* Reads what is there: the 2-byte length, then a buffer of exactly that size. */
static int conn_read(struct dnsd *d, struct tcp_conn *c)
{
	for (;;) {
		size_t len = (size_t)(c->prefix[0] << 8 | c->prefix[1]);
		uint8_t *dst = c->got < 2 ? c->prefix + c->got : c->msg + (c->got - 2);
		size_t want = c->got < 2 ? 2 - c->got : len - (c->got - 2);
		ssize_t n = recv(c->w.fd, dst, want, MSG_DONTWAIT);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		if (n == 0)
			return -ECONNRESET;
		c->got += (size_t)n;
		touch(d->tcp, c);
		if (c->got == 2) {
			len = (size_t)(c->prefix[0] << 8 | c->prefix[1]);
			if (len < 12)
				return -EBADMSG; /* not even a header: nothing to answer */
			c->msg = malloc(len);
			if (!c->msg)
				return -ENOMEM;
		} else if (c->got == 2 + len) {
			bool ok = serve_one(d, c, len);

			free(c->msg);
			c->msg = NULL;
			c->got = 0;
			if (!ok)
				return -EPIPE;
		}
	}
}

static int on_conn(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct tcp_conn *c = (struct tcp_conn *)w;
	int r = events & EPOLLIN ? conn_read(d, c) : -ECONNRESET;

	if (r < 0 || (events & (EPOLLERR | EPOLLHUP)))
		conn_close(d, c);
	return 0;
}

/*
 * Oldest first among those with no message arriving; the very oldest if all
 * are busy. What the victim already sent is answered before it goes.
 */
static void evict_one(struct dnsd *d)
{
	struct tcp_conn *victim = d->tcp->head;

	for (struct tcp_conn *c = d->tcp->head; c; c = c->next)
		if (c->got == 0) {
			victim = c;
			break;
		}
	if (!victim)
		return;
	if (victim->got == 0)
		conn_read(d, victim);
	conn_close(d, victim);
}

int dnsd_tcp_accept(struct dnsd *d, int listen_fd, size_t net_index)
{
	struct dnsd_tcp *t = d->tcp;

	for (int i = 0; i < 64; i++) {
		struct tcp_conn *c;
		socklen_t plen = sizeof(c->peer);
		int fd;

		if (t->n >= d->tcp_max)
			evict_one(d);
		c = calloc(1, sizeof(*c));
		if (!c)
			return -ENOMEM;
		fd = accept4(listen_fd, (struct sockaddr *)&c->peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			free(c);
			return errno == EAGAIN || errno == ECONNABORTED ? 0 : -errno;
		}
		c->w = (struct nd_watch){ .fd = fd, .ready = on_conn };
		c->net_index = net_index;
		c->last = now_ms();
		if (dnsd_loop_add(d, &c->w, EPOLLIN | EPOLLRDHUP) < 0) {
			close(fd);
			free(c);
			continue;
		}
		append_conn(t, c);
		t->n++;
		arm(t, true);
	}
	return 0;
}

static int on_tick(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	uint64_t expirations, now = now_ms();

	if (read(w->fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	/* Least recently active first: the walk stops at the first one still in time. */
	while (d->tcp->head && d->tcp->head->last + d->tcp_idle_ms <= now)
		conn_close(d, d->tcp->head);
	return 0;
}

size_t dnsd_tcp_count(const struct dnsd *d)
{
	return d->tcp ? d->tcp->n : 0;
}

int dnsd_tcp_init(struct dnsd *d)
{
	struct dnsd_tcp *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	d->tcp = t;
	t->timer = (struct nd_watch){
		.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), .ready = on_tick
	};
	if (t->timer.fd < 0)
		return -errno;
	return dnsd_loop_add(d, &t->timer, EPOLLIN);
}

void dnsd_tcp_close(struct dnsd *d)
{
	if (!d->tcp)
		return;
	while (d->tcp->head)
		conn_close(d, d->tcp->head);
	if (d->tcp->timer.fd >= 0)
		close(d->tcp->timer.fd);
	free(d->tcp);
	d->tcp = NULL;
}
