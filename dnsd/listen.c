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

struct dnsd_listener {
	struct nd_watch udp, tcp;
	struct nd_addr addr;
	char net[CNI_MAX_NAME];
	size_t net_index;
	bool keep; /* mark during sync */
	struct dnsd_listener *next;
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

void dnsd_sockaddr_addr(const struct sockaddr_storage *ss, struct nd_addr *a)
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
	    (type == SOCK_STREAM && listen(fd, SOMAXCONN) < 0)) {
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
		dnsd_sockaddr_addr(&peer, &src);
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

static int on_accept(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct dnsd_listener *l =
		(struct dnsd_listener *)((char *)w - offsetof(struct dnsd_listener, tcp));

	return dnsd_tcp_accept(d, w->fd, l->net_index);
}

static void listener_free(struct dnsd *d, struct dnsd_listener *l)
{
	dnsd_loop_del(d, &l->udp);
	dnsd_loop_del(d, &l->tcp);
	close(l->udp.fd);
	close(l->tcp.fd);
	dnsd_loop_retire(d, &l->tcp, l);
	l->udp = l->tcp; /* both ignore what this round still holds */
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
