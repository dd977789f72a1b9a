// SPDX-License-Identifier: MIT
/*
 * Listeners: UDP and TCP port 53 on the gateway addresses of every network
 * with DNS on, opened and closed as networks come and go. IP_FREEBIND lets a
 * listener exist before the bridge has its address.
 */
#include "dnsd.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#define TCP_MAX_MSG 65535

struct dnsd_listener {
	struct nd_watch udp, tcp;
	struct nd_addr addr;
	char net[CNI_MAX_NAME];
	size_t net_index;
	bool keep; /* mark during sync */
	struct dnsd_listener *next;
};

struct tcp_conn {
	struct nd_watch w;
	size_t net_index; /* copied: the listener may close before the connection */
	struct sockaddr_storage peer;
	size_t len;
	uint8_t buf[2 + TCP_MAX_MSG];
};

static void sockaddr_of(const struct nd_addr *a, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		*len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		*len = sizeof(*s6);
	}
}

static void addr_of(const struct sockaddr_storage *ss, struct nd_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(a->bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(a->bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

static int bound_socket(const struct nd_addr *a, uint16_t port, int type)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd = socket(a->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	sockaddr_of(a, port, &ss, &len);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int on_udp(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct dnsd_listener *l =
		(struct dnsd_listener *)((char *)w - offsetof(struct dnsd_listener, udp));
	uint8_t in[DNSD_UDP_MAX], out[DNSD_UDP_MAX];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer;
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(w->fd, in, sizeof(in), 0, (struct sockaddr *)&peer, &plen);
		struct nd_addr src;
		size_t len;

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		addr_of(&peer, &src);
		len = dnsd_answer(d, l->net_index, &src, in, (size_t)n, out, sizeof(out), false);
		if (len == SIZE_MAX)
			continue;
		if (len == 0)
			dnsd_forward(d, l->net_index, in, (size_t)n, w->fd, &peer, plen, false);
		else
			sendto(w->fd, out, len, MSG_DONTWAIT, (struct sockaddr *)&peer, plen);
	}
	return 0;
}

static void conn_close(struct dnsd *d, struct tcp_conn *c)
{
	dnsd_forward_cancel(d, c->w.fd);
	dnsd_loop_del(d, &c->w);
	close(c->w.fd);
	free(c);
}

/* Answers every complete length-prefixed query in the buffer. */
static void conn_serve(struct dnsd *d, struct tcp_conn *c)
{
	uint8_t out[2 + TCP_MAX_MSG];
	struct nd_addr src;

	addr_of(&c->peer, &src);
	while (c->len >= 2) {
		size_t need = (size_t)(c->buf[0] << 8 | c->buf[1]), len;

		if (c->len < 2 + need)
			return;
		len = dnsd_answer(d, c->net_index, &src, c->buf + 2, need, out + 2, sizeof(out) - 2,
				  true);
		if (len == 0) {
			dnsd_forward(d, c->net_index, c->buf + 2, need, c->w.fd, &c->peer,
				     sizeof(c->peer), true);
		} else if (len != SIZE_MAX) {
			out[0] = (uint8_t)(len >> 8);
			out[1] = (uint8_t)len;
			if (send(c->w.fd, out, len + 2, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
				return;
		}
		memmove(c->buf, c->buf + 2 + need, c->len - 2 - need);
		c->len -= 2 + need;
	}
}

static int on_conn(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct tcp_conn *c = (struct tcp_conn *)w;
	ssize_t n = recv(w->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);

	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0 || (events & (EPOLLERR | EPOLLHUP))) {
		conn_close(d, c);
		return 0;
	}
	c->len += (size_t)n;
	conn_serve(d, c);
	return 0;
}

static int on_accept(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct dnsd_listener *l =
		(struct dnsd_listener *)((char *)w - offsetof(struct dnsd_listener, tcp));

	for (int i = 0; i < 16; i++) {
		struct tcp_conn *c = calloc(1, sizeof(*c));
		socklen_t plen = sizeof(c ? c->peer : (struct sockaddr_storage){ 0 });
		int fd;

		if (!c)
			return -ENOMEM;
		fd = accept4(w->fd, (struct sockaddr *)&c->peer, &plen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			free(c);
			return errno == EAGAIN ? 0 : -errno;
		}
		c->w = (struct nd_watch){ .fd = fd, .ready = on_conn };
		c->net_index = l->net_index;
		if (dnsd_loop_add(d, &c->w, EPOLLIN) < 0) {
			close(fd);
			free(c);
		}
	}
	return 0;
}

static void listener_free(struct dnsd *d, struct dnsd_listener *l)
{
	dnsd_loop_del(d, &l->udp);
	dnsd_loop_del(d, &l->tcp);
	close(l->udp.fd);
	close(l->tcp.fd);
	free(l);
}

static int listener_open(struct dnsd *d, const struct nd_addr *a, const char *net, size_t idx)
{
	struct dnsd_listener *l = calloc(1, sizeof(*l));
	char as[ND_ADDR_STRLEN];
	int r;

	if (!l)
		return -ENOMEM;
	l->addr = *a;
	snprintf(l->net, sizeof(l->net), "%s", net);
	l->net_index = idx;
	l->keep = true;
	l->udp = (struct nd_watch){ .fd = bound_socket(a, d->port, SOCK_DGRAM), .ready = on_udp };
	l->tcp = (struct nd_watch){ .fd = bound_socket(a, d->port, SOCK_STREAM),
				    .ready = on_accept };
	r = l->udp.fd < 0 ? l->udp.fd : l->tcp.fd;
	if (r >= 0)
		r = dnsd_loop_add(d, &l->udp, EPOLLIN);
	if (r >= 0)
		r = dnsd_loop_add(d, &l->tcp, EPOLLIN);
	if (r < 0) {
		nd_err("listening on %s:%u for %s: %s", nd_addr_to_str(a, as), d->port, net,
		       strerror(-r));
		if (l->udp.fd >= 0)
			close(l->udp.fd);
		if (l->tcp.fd >= 0)
			close(l->tcp.fd);
		free(l);
		return r;
	}
	nd_info("listening on %s:%u for network %s", nd_addr_to_str(a, as), d->port, net);
	l->next = d->listeners;
	d->listeners = l;
	return 0;
}

static struct dnsd_listener *find(struct dnsd *d, const struct nd_addr *a)
{
	for (struct dnsd_listener *l = d->listeners; l; l = l->next)
		if (nd_addr_equal(&l->addr, a))
			return l;
	return NULL;
}

int dnsd_listeners_sync(struct dnsd *d)
{
	for (struct dnsd_listener *l = d->listeners; l; l = l->next)
		l->keep = false;
	for (size_t i = 0; i < d->view.n_nets; i++) {
		const struct nd_net_record *n = &d->view.nets[i].rec;

		for (size_t j = 0; n->dns.enabled && j < n->n_subnets; j++) {
			const struct nd_addr *gw = &n->subnets[j].gateway;
			struct dnsd_listener *l = nd_addr_is_set(gw) ? find(d, gw) : NULL;

			if (l) {
				l->keep = true;
				l->net_index = i;
				snprintf(l->net, sizeof(l->net), "%s", n->name);
			} else if (nd_addr_is_set(gw)) {
				listener_open(d, gw, n->name, i);
			}
		}
	}
	for (struct dnsd_listener **pl = &d->listeners; *pl;) {
		struct dnsd_listener *l = *pl;

		if (l->keep) {
			pl = &l->next;
			continue;
		}
		*pl = l->next;
		listener_free(d, l);
	}
	return 0;
}

void dnsd_listeners_close(struct dnsd *d)
{
	while (d->listeners) {
		struct dnsd_listener *l = d->listeners;

		d->listeners = l->next;
		listener_free(d, l);
	}
}
