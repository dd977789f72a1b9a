// SPDX-License-Identifier: MIT
/*
 * Forwarding what is not ours: UDP to the network's servers (or the host's),
 * many queries in flight, IDs rewritten so upstream replies cannot be
 * mistaken for each other, SERVFAIL after a timeout. A client that came over
 * TCP is forwarded over TCP, so a truncated answer (TC) that makes a UDP
 * client retry over TCP ends with the full answer.
 */
#include "dnsd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"

#define SLOTS 4096 /* in-flight queries; the ID's low 12 bits pick the slot */
#define TICK_MS 200

struct pending {
	bool used;
	bool tcp;
	uint16_t id; /* the ID sent upstream */
	uint16_t orig_id;
	int reply_fd;
	struct sockaddr_storage client;
	socklen_t client_len;
	struct nd_addr upstream;
	uint64_t deadline;
	uint8_t *head; /* header and question, for a SERVFAIL that echoes the question */
	size_t head_len;
	struct tcp_upstream *conn;
};

struct tcp_upstream {
	struct nd_watch w;
	uint32_t slot;
	size_t out_len, out_off, in_len;
	uint8_t out[2 + DNSD_UDP_MAX];
	uint8_t in[2 + 65535];
};

struct dnsd_forwarder {
	struct nd_watch up4, up6, timer;
	struct pending slots[SLOTS];
	uint32_t cursor;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void to_sockaddr(const struct nd_addr *a, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(53);
		memcpy(&s->sin_addr, a->bytes, 4);
		*len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(53);
		memcpy(&s->sin6_addr, a->bytes, 16);
		*len = sizeof(*s);
	}
}

static void reply(struct pending *p, uint8_t *msg, size_t len)
{
	msg[0] = (uint8_t)(p->orig_id >> 8);
	msg[1] = (uint8_t)p->orig_id;
	if (p->tcp) {
		uint8_t prefix[2] = { (uint8_t)(len >> 8), (uint8_t)len };
		struct iovec iov[2] = { { prefix, 2 }, { msg, len } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

		sendmsg(p->reply_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	} else {
		sendto(p->reply_fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&p->client,
		       p->client_len);
	}
}

static void slot_free(struct dnsd *d, struct pending *p)
{
	if (p->conn) {
		dnsd_loop_del(d, &p->conn->w);
		close(p->conn->w.fd);
		dnsd_loop_retire(d, &p->conn->w, p->conn);
		p->conn = NULL;
	}
	free(p->head);
	p->head = NULL;
	p->used = false;
}

/* SERVFAIL with the question echoed (RFC 1035 4.1.2: a response repeats the question). */
static void servfail_reply(struct pending *p, const uint8_t *head, size_t head_len)
{
	uint8_t out[12 + 256 + 4];
	size_t len = dnsd_wire_error(out, sizeof(out), head, head_len, DNSD_RCODE_SERVFAIL);

	if (len)
		reply(p, out, len);
}

static void servfail(struct dnsd *d, struct pending *p)
{
	servfail_reply(p, p->head, p->head_len);
	slot_free(d, p);
}

static struct pending *slot_for_reply(struct dnsd_forwarder *f, const uint8_t *msg, size_t len)
{
	uint16_t id;
	struct pending *p;

	if (len < 12)
		return NULL;
	id = (uint16_t)(msg[0] << 8 | msg[1]);
	p = &f->slots[id % SLOTS];
	return p->used && p->id == id ? p : NULL;
}

static int on_udp_reply(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	uint8_t msg[DNSD_UDP_MAX];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(w->fd, msg, sizeof(msg), 0, (struct sockaddr *)&from, &flen);
		struct pending *p;
		struct sockaddr_storage want;
		socklen_t wlen;
		bool tc;

		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		p = slot_for_reply(d->forwarder, msg, (size_t)n);
		if (!p || p->tcp)
			continue;
		to_sockaddr(&p->upstream, &want, &wlen);
		/* Only the server we asked may answer (no spoofed replies from elsewhere). */
		if (flen != wlen || memcmp(&from, &want, wlen) ||
		    dnsd_wire_check_reply(msg, (size_t)n, &tc) < 0)
			continue;
		reply(p, msg, (size_t)n);
		slot_free(d, p);
	}
	return 0;
}

static int on_tcp_upstream(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	struct tcp_upstream *c = (struct tcp_upstream *)w;
	struct pending *p = &d->forwarder->slots[c->slot];
	ssize_t n;

	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		servfail(d, p);
		return 0;
	}
	if (c->out_off < c->out_len) {
		n = send(w->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN ? 0 : (servfail(d, p), 0);
		c->out_off += (size_t)n;
		if (c->out_off == c->out_len)
			epoll_ctl(d->epoll_fd, EPOLL_CTL_MOD, w->fd,
				  &(struct epoll_event){ .events = EPOLLIN, .data.ptr = w });
		return 0;
	}
	n = recv(w->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n <= 0)
		return n < 0 && errno == EAGAIN ? 0 : (servfail(d, p), 0);
	c->in_len += (size_t)n;
	if (c->in_len >= 2 && c->in_len >= 2u + (size_t)(c->in[0] << 8 | c->in[1])) {
		reply(p, c->in + 2, (size_t)(c->in[0] << 8 | c->in[1]));
		slot_free(d, p);
	}
	return 0;
}

static int tcp_upstream_start(struct dnsd *d, struct pending *p, uint32_t slot, const uint8_t *msg,
			      size_t len)
{
	struct tcp_upstream *c = calloc(1, sizeof(*c));
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd;

	if (!c || len > DNSD_UDP_MAX) {
		free(c);
		return -ENOMEM;
	}
	to_sockaddr(&p->upstream, &ss, &sl);
	fd = socket(p->upstream.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)) {
		if (fd >= 0)
			close(fd);
		free(c);
		return -errno;
	}
	c->w = (struct nd_watch){ .fd = fd, .ready = on_tcp_upstream };
	c->slot = slot;
	c->out[0] = (uint8_t)(len >> 8);
	c->out[1] = (uint8_t)len;
	memcpy(c->out + 2, msg, len);
	c->out_len = len + 2;
	p->conn = c;
	return dnsd_loop_add(d, &c->w, EPOLLOUT | EPOLLIN);
}

static int on_tick(struct dnsd *d, struct nd_watch *w, uint32_t events)
{
	uint64_t expirations, now = now_ms();

	if (read(w->fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return -errno;
	for (uint32_t i = 0; i < SLOTS; i++) {
		struct pending *p = &d->forwarder->slots[i];

		if (p->used && p->deadline <= now)
			servfail(d, p);
	}
	return 0;
}

static const struct nd_addr *upstream_for(struct dnsd *d, size_t net)
{
	const struct nd_dns_settings *dns = net < d->view.n_nets ? &d->view.nets[net].rec.dns :
								   NULL;

	if (dns && dns->n_servers)
		return &dns->servers[d->rotation++ % dns->n_servers];
	if (d->n_upstreams)
		return &d->upstreams[d->rotation++ % d->n_upstreams];
	return NULL;
}

static struct pending *slot_take(struct dnsd_forwarder *f, uint32_t *ret)
{
	for (uint32_t k = 0; k < SLOTS; k++) {
		uint32_t i = (f->cursor + k) % SLOTS;

		if (!f->slots[i].used) {
			f->cursor = i + 1;
			*ret = i;
			return &f->slots[i];
		}
	}
	return NULL;
}

int dnsd_forward(struct dnsd *d, size_t net, const uint8_t *msg, size_t len, int reply_fd,
		 const struct sockaddr_storage *client, socklen_t client_len, bool tcp)
{
	struct dnsd_forwarder *f = d->forwarder;
	const struct nd_addr *up = upstream_for(d, net);
	struct pending tmp = { .tcp = tcp, .reply_fd = reply_fd, .client_len = client_len };
	struct pending *p;
	struct dnsd_query q;
	uint32_t slot;
	uint16_t salt = 0;
	uint8_t out[DNSD_UDP_MAX];

	/* Only queries dnsd_answer accepted come here: the question is readable. */
	if (dnsd_wire_parse_query(msg, len, &q) != 0)
		return -EINVAL;
	tmp.head_len = q.question_end;
	tmp.orig_id = q.id;
	memcpy(&tmp.client, client, sizeof(tmp.client));
	p = up && len <= sizeof(out) ? slot_take(f, &slot) : NULL;
	tmp.head = p ? malloc(tmp.head_len) : NULL;
	if (!tmp.head) {
		/* No upstream, no room or no memory: answer now rather than never. */
		servfail_reply(&tmp, msg, q.question_end);
		return -EAGAIN;
	}
	memcpy(tmp.head, msg, tmp.head_len);
	getrandom(&salt, sizeof(salt), GRND_NONBLOCK);
	*p = tmp;
	p->used = true;
	p->upstream = *up;
	p->id = (uint16_t)((salt & ~(SLOTS - 1)) | slot);
	p->deadline = now_ms() + DNSD_FORWARD_TIMEOUT_MS;
	memcpy(out, msg, len);
	out[0] = (uint8_t)(p->id >> 8);
	out[1] = (uint8_t)p->id;
	if (tcp)
		return tcp_upstream_start(d, p, slot, out, len) < 0 ? (servfail(d, p), -EIO) : 0;
	struct sockaddr_storage ss;
	socklen_t sl;

	to_sockaddr(up, &ss, &sl);
	if (sendto(up->family == AF_INET6 ? f->up6.fd : f->up4.fd, out, len, MSG_DONTWAIT,
		   (struct sockaddr *)&ss, sl) < 0)
		servfail(d, p);
	return 0;
}

void dnsd_forward_cancel(struct dnsd *d, int fd)
{
	for (uint32_t i = 0; d->forwarder && i < SLOTS; i++)
		if (d->forwarder->slots[i].used && d->forwarder->slots[i].reply_fd == fd)
			slot_free(d, &d->forwarder->slots[i]);
}

int dnsd_forward_init(struct dnsd *d)
{
	struct dnsd_forwarder *f = calloc(1, sizeof(*f));
	struct itimerspec tick = { .it_interval = { 0, TICK_MS * 1000000L },
				   .it_value = { 0, TICK_MS * 1000000L } };
	int r;

	if (!f)
		return -ENOMEM;
	d->forwarder = f;
	f->up4 = (struct nd_watch){ .fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
						 0),
				    .ready = on_udp_reply };
	f->up6 = (struct nd_watch){ .fd = socket(AF_INET6,
						 SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
				    .ready = on_udp_reply };
	f->timer = (struct nd_watch){
		.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), .ready = on_tick
	};
	if (f->up4.fd < 0 || f->timer.fd < 0)
		return -errno;
	r = dnsd_loop_add(d, &f->up4, EPOLLIN);
	if (r >= 0 && f->up6.fd >= 0)
		r = dnsd_loop_add(d, &f->up6, EPOLLIN);
	if (r >= 0)
		r = dnsd_loop_add(d, &f->timer, EPOLLIN);
	if (r >= 0 && timerfd_settime(f->timer.fd, 0, &tick, NULL) < 0)
		r = -errno;
	return r;
}

void dnsd_forward_close(struct dnsd *d)
{
	struct dnsd_forwarder *f = d->forwarder;

	if (!f)
		return;
	for (uint32_t i = 0; i < SLOTS; i++)
		if (f->slots[i].used)
			slot_free(d, &f->slots[i]);
	closep(&f->up4.fd);
	closep(&f->up6.fd);
	closep(&f->timer.fd);
	free(f);
	d->forwarder = NULL;
}
