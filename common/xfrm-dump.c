// SPDX-License-Identifier: MIT
/* XFRM dumps: the kernel's SAs and policies, parsed without trusting a byte of them. */
#include "xfrm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <libmnl/libmnl.h>

/*
 * The kernel sizes a dump's messages to the reader's buffer, up to 32 KiB;
 * a smaller buffer would truncate them (MSG_TRUNC, -ENOSPC here).
 */
#define DUMP_BUF (32u * 1024)

/* The attributes of a dump message by type (the last of each); NULL when absent. */
struct attrs {
	const struct nlattr *tb[XFRMA_MAX + 1];
};

static void attr_keep(struct attrs *at, const struct nlattr *a)
{
	uint16_t type = a->nla_type & NLA_TYPE_MASK;

	if (type <= XFRMA_MAX)
		at->tb[type] = a;
}

/*
 * The fixed header of a message's payload, copied out (dump messages are
 * only 4-byte aligned), then its attributes, each inside nlmsg_len itself:
 * mnl_attr_parse bounds them by the aligned end, which for the last
 * message of a short buffer lies past it.
 */
static int fixed_get(const struct nlmsghdr *h, void *to, size_t size, struct attrs *at)
{
	const uint8_t *m = (const void *)h;
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(size), end = h->nlmsg_len;

	if (end < NLMSG_HDRLEN + size)
		return -EBADMSG;
	memcpy(to, m + NLMSG_HDRLEN, size);
	while (off < end && end - off >= NLA_HDRLEN) {
		const struct nlattr *a = (const void *)(m + off);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > end - off)
			break; /* the rest is not attributes */
		attr_keep(at, a);
		off += NLA_ALIGN((size_t)a->nla_len);
	}
	return 0;
}

static int addr_get(struct nd_addr *to, const xfrm_address_t *from, uint16_t family)
{
	*to = (struct nd_addr){ .family = family };
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	memcpy(to->bytes, from, nd_addr_len(to));
	return 0;
}

/* The key, when the AEAD is netdock's: name NUL-terminated in its field, key inside the attribute. */
static const uint8_t *aead_key(const struct nlattr *a)
{
	struct xfrm_algo_aead alg;
	size_t len = a ? mnl_attr_get_payload_len(a) : 0;

	if (len < sizeof(alg))
		return NULL;
	memcpy(&alg, mnl_attr_get_payload(a), sizeof(alg));
	if (!memchr(alg.alg_name, '\0', sizeof(alg.alg_name)) ||
	    strcmp(alg.alg_name, ND_XFRM_AEAD) || alg.alg_key_len != ND_XFRM_KEY_LEN * 8 ||
	    alg.alg_icv_len != ND_XFRM_ICV_BITS || len - sizeof(alg) < ND_XFRM_KEY_LEN)
		return NULL;
	return (const uint8_t *)mnl_attr_get_payload(a) + sizeof(alg);
}

/* 0/0 without the attribute; -EBADMSG when it is too short to hold one. */
static int mark_get(const struct nlattr *a, struct xfrm_mark *ret)
{
	*ret = (struct xfrm_mark){ 0 };
	if (!a)
		return 0;
	if (mnl_attr_get_payload_len(a) < sizeof(*ret))
		return -EBADMSG;
	memcpy(ret, mnl_attr_get_payload(a), sizeof(*ret));
	return 0;
}

static int sa_parse(const struct nlmsghdr *h, struct nd_xfrm_sa_info *ret)
{
	struct xfrm_usersa_info p;
	struct attrs at = { 0 };
	struct xfrm_mark m;
	int r = fixed_get(h, &p, sizeof(p), &at);

	if (r >= 0)
		r = mark_get(at.tb[XFRMA_MARK], &m);
	if (r >= 0)
		r = addr_get(&ret->sa.dst, &p.id.daddr, p.family);
	if (r >= 0)
		r = addr_get(&ret->sa.src, &p.saddr, p.family);
	if (r < 0)
		return r;
	ret->sa.spi = ntohl(p.id.spi);
	ret->sa.reqid = p.reqid;
	ret->sa.key = aead_key(at.tb[XFRMA_ALG_AEAD]);
	ret->proto = p.id.proto;
	ret->mode = p.mode;
	ret->marked = m.v || m.m;
	return 0;
}

/* The reqid of the one template, when it is ESP transport; 0 for anything else. */
static uint32_t tmpl_reqid(const struct nlattr *a)
{
	struct xfrm_user_tmpl t;

	if (!a || mnl_attr_get_payload_len(a) != sizeof(t))
		return 0;
	memcpy(&t, mnl_attr_get_payload(a), sizeof(t));
	return t.id.proto == IPPROTO_ESP && t.mode == XFRM_MODE_TRANSPORT ? t.reqid : 0;
}

static bool port_selector(const struct xfrm_selector *s)
{
	return s->proto == IPPROTO_UDP && s->dport_mask == 0xffff && !s->sport_mask &&
	       !s->prefixlen_d && !s->prefixlen_s && !s->ifindex;
}

static int policy_parse(const struct nlmsghdr *h, struct nd_xfrm_policy_info *ret)
{
	struct xfrm_userpolicy_info p;
	struct xfrm_userpolicy_type type = { .type = XFRM_POLICY_TYPE_MAIN };
	struct attrs at = { 0 };
	struct xfrm_mark m;
	int r = fixed_get(h, &p, sizeof(p), &at);

	if (r >= 0)
		r = mark_get(at.tb[XFRMA_MARK], &m);
	if (r >= 0 && at.tb[XFRMA_POLICY_TYPE]) {
		if (mnl_attr_get_payload_len(at.tb[XFRMA_POLICY_TYPE]) < sizeof(type))
			r = -EBADMSG;
		else
			memcpy(&type, mnl_attr_get_payload(at.tb[XFRMA_POLICY_TYPE]), sizeof(type));
	}
	if (r < 0)
		return r;
	ret->p = (struct nd_xfrm_policy){ .family = p.sel.family,
					  .mark = m.v,
					  .dport = ntohs(p.sel.dport),
					  .reqid = tmpl_reqid(at.tb[XFRMA_TMPL]) };
	ret->dir = p.dir;
	ret->mark_mask = m.m;
	/* A sub policy is not addressed by netdock's requests (they name the main type). */
	ret->port_selector = port_selector(&p.sel) && type.type == XFRM_POLICY_TYPE_MAIN;
	return 0;
}

/* One message of the dump: 1 at its end, 0 to go on, -errno. */
static int message(const struct nlmsghdr *h, struct nd_xfrm_dump *d)
{
	struct nd_xfrm_sa_info sa;
	struct nd_xfrm_policy_info pol;
	int err = 0, r = 0;

	if (h->nlmsg_flags & NLM_F_DUMP_INTR)
		d->interrupted = true;
	switch (h->nlmsg_type) {
	case NLMSG_DONE:
		/* Since Linux 4.x the end carries the dump's own error, if any. */
		if (mnl_nlmsg_get_payload_len(h) >= sizeof(err))
			memcpy(&err, mnl_nlmsg_get_payload(h), sizeof(err));
		return err < 0 ? err : 1;
	case NLMSG_ERROR:
		if (mnl_nlmsg_get_payload_len(h) < sizeof(struct nlmsgerr))
			return -EBADMSG;
		memcpy(&err, mnl_nlmsg_get_payload(h), sizeof(err));
		return err < 0 ? err : 0;
	case XFRM_MSG_NEWSA:
		r = sa_parse(h, &sa);
		if (r >= 0 && d->sa && !d->err)
			d->err = d->sa(d->data, &sa);
		break;
	case XFRM_MSG_NEWPOLICY:
		r = policy_parse(h, &pol);
		if (r >= 0 && d->policy && !d->err)
			d->err = d->policy(d->data, &pol);
		break;
	}
	/* Anything else: NLMSG_NOOP, or a type this dump does not carry. */
	d->skipped += r < 0;
	return 0;
}

int nd_xfrm_dump_parse(const void *buf, size_t len, uint32_t seq, struct nd_xfrm_dump *d)
{
	const uint8_t *p = buf;
	int r = 0;

	/*
	 * By hand, not mnl_nlmsg_ok/next: those compare nlmsg_len as an int, so
	 * a length above 2^31 passes, and NLMSG_ALIGN of one near 2^32 wraps to
	 * 0, a walk that never ends.
	 */
	while (r == 0 && len >= NLMSG_HDRLEN) {
		const struct nlmsghdr *h = (const void *)p;
		size_t step;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > len)
			break;
		if (h->nlmsg_seq == seq)
			r = message(h, d);
		step = NLMSG_ALIGN((size_t)h->nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return r;
}

static void wipe_freep(uint8_t **p)
{
	if (*p) {
		explicit_bzero(*p, DUMP_BUF);
		free(*p);
	}
}

/*
 * One dump request, then every answer until its end, also after a callback
 * failed: the kernel refuses a new dump on a socket whose last one is
 * still running. SA dumps carry keys, so the buffer is wiped.
 */
static int dump(struct nd_xfrm *x, uint16_t type, struct nd_xfrm_dump *d)
{
	_cleanup_(wipe_freep) uint8_t *buf = calloc(1, DUMP_BUF);
	struct nlmsghdr *h;
	uint32_t seq;
	int r = 0;

	if (!buf)
		return -ENOMEM;
	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	seq = h->nlmsg_seq = ++x->seq;
	/* The kernel filters an SA dump by protocol (attributes right after the header). */
	if (type == XFRM_MSG_GETSA)
		mnl_attr_put_u8(h, XFRMA_PROTO, IPPROTO_ESP);
	x->kernel_err = 0;
	x->ext_ack[0] = '\0';
	d->skipped = 0;
	d->err = 0;
	d->interrupted = false;
	if (mnl_socket_sendto(x->nl, h, h->nlmsg_len) < 0)
		return -errno;
	while (r == 0) {
		ssize_t n = mnl_socket_recvfrom(x->nl, buf, DUMP_BUF);

		if (n < 0)
			return -errno;
		r = nd_xfrm_dump_parse(buf, (size_t)n, seq, d);
		explicit_bzero(buf, (size_t)n);
	}
	if (r < 0) {
		x->kernel_err = r;
		return r;
	}
	return d->err < 0 ? d->err : d->interrupted ? -EAGAIN : 0;
}

int nd_xfrm_sa_dump(struct nd_xfrm *x, struct nd_xfrm_dump *d)
{
	return dump(x, XFRM_MSG_GETSA, d);
}

int nd_xfrm_policy_dump(struct nd_xfrm *x, struct nd_xfrm_dump *d)
{
	return dump(x, XFRM_MSG_GETPOLICY, d);
}
