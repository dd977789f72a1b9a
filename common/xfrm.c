// SPDX-License-Identifier: MIT
/* XFRM netlink requests: ESP transport SAs and mark-selected outbound policies. */
#include "xfrm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include <libmnl/libmnl.h>

/* The probe's SPI: never handed out (netdock's SPIs are hashes above 255, this one is fixed). */
#define PROBE_SPI 0xffffff00u

int nd_xfrm_open(struct nd_xfrm **ret)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = calloc(1, sizeof(*x));
	int one = 1;

	if (!x)
		return -ENOMEM;
	x->nl = mnl_socket_open2(NETLINK_XFRM, SOCK_CLOEXEC);
	if (!x->nl)
		return -errno;
	if (mnl_socket_bind(x->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	/* Without these the kernel's reason for a refusal is lost. */
	mnl_socket_setsockopt(x->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(x->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	x->seq = (uint32_t)time(NULL);
	*ret = steal_ptr(x);
	return 0;
}

void nd_xfrm_close(struct nd_xfrm *x)
{
	if (!x)
		return;
	if (x->nl)
		mnl_socket_close(x->nl);
	free(x);
}

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	struct nd_xfrm *x = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(x->ext_ack, sizeof(x->ext_ack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* Reads the kernel's ack of one request: its errno, and the ext-ack text when refused. */
static int read_ack(struct nd_xfrm *x, uint32_t seq)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	for (;;) {
		n = mnl_socket_recvfrom(x->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		for (const struct nlmsghdr *h = (void *)buf; mnl_nlmsg_ok(h, (int)n);
		     h = mnl_nlmsg_next(h, (int *)&n)) {
			const struct nlmsgerr *e;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type != NLMSG_ERROR)
				continue; /* a GET's answer; its ack follows */
			if (h->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
				return -EBADMSG;
			e = mnl_nlmsg_get_payload(h);
			x->kernel_err = e->error;
			if (e->error && (h->nlmsg_flags & NLM_F_ACK_TLVS))
				mnl_attr_parse(h, sizeof(*e), ext_ack_attr, x);
			return e->error;
		}
	}
}

/* Sends one request, asks for an ack and returns the kernel's answer. */
static int request(struct nd_xfrm *x, struct nlmsghdr *h)
{
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++x->seq;
	x->kernel_err = 0;
	x->ext_ack[0] = '\0';
	if (mnl_socket_sendto(x->nl, h, h->nlmsg_len) < 0)
		return -errno;
	return read_ack(x, h->nlmsg_seq);
}

static void addr_put(xfrm_address_t *to, const struct nd_addr *a)
{
	memset(to, 0, sizeof(*to));
	memcpy(to, a->bytes, nd_addr_len(a));
}

/* The AEAD attribute: the key and salt, and the ICV length. */
static void put_aead(struct nlmsghdr *h, const uint8_t *key)
{
	struct {
		struct xfrm_algo_aead a;
		uint8_t key[ND_XFRM_KEY_LEN];
	} aead = { .a = { .alg_key_len = ND_XFRM_KEY_LEN * 8, .alg_icv_len = ND_XFRM_ICV_BITS } };

	snprintf(aead.a.alg_name, sizeof(aead.a.alg_name), "%s", ND_XFRM_AEAD);
	memcpy(aead.key, key, ND_XFRM_KEY_LEN);
	mnl_attr_put(h, XFRMA_ALG_AEAD, sizeof(aead), &aead);
	explicit_bzero(&aead, sizeof(aead));
}

struct nlmsghdr *nd_xfrm_sa_msg(void *buf, uint16_t type, const struct nd_xfrm_sa *sa)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_info *p;

	h->nlmsg_type = type;
	h->nlmsg_flags = type == XFRM_MSG_NEWSA ? NLM_F_CREATE | NLM_F_EXCL : 0;
	p = mnl_nlmsg_put_extra_header(h, sizeof(*p));
	addr_put(&p->id.daddr, &sa->dst);
	addr_put(&p->saddr, &sa->src);
	p->id.spi = htonl(sa->spi);
	p->id.proto = IPPROTO_ESP;
	p->family = (uint16_t)sa->dst.family;
	p->sel.family = (uint16_t)sa->dst.family; /* any address, any port */
	p->mode = XFRM_MODE_TRANSPORT;
	p->reqid = sa->reqid;
	p->replay_window = 32;
	p->lft.soft_byte_limit = p->lft.hard_byte_limit = XFRM_INF;
	p->lft.soft_packet_limit = p->lft.hard_packet_limit = XFRM_INF;
	put_aead(h, sa->key);
	return h;
}

/* NEWSA or UPDSA of one SA; the message buffer holds the key and is wiped. */
static int sa_send(struct nd_xfrm *x, uint16_t type, const struct nd_xfrm_sa *sa)
{
	char buf[ND_XFRM_MSG_MAX] __attribute__((aligned(8)));
	int r;

	if (sa->src.family != sa->dst.family || !sa->key)
		return -EINVAL;
	r = request(x, nd_xfrm_sa_msg(buf, type, sa));
	explicit_bzero(buf, sizeof(buf));
	return r;
}

int nd_xfrm_sa_add(struct nd_xfrm *x, const struct nd_xfrm_sa *sa)
{
	return sa_send(x, XFRM_MSG_NEWSA, sa);
}

static int sa_id_send(struct nd_xfrm *x, uint16_t type, const struct nd_addr *dst, uint32_t spi)
{
	char buf[256];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct xfrm_usersa_id *id;

	h->nlmsg_type = type;
	id = mnl_nlmsg_put_extra_header(h, sizeof(*id));
	addr_put(&id->daddr, dst);
	id->spi = htonl(spi);
	id->family = (uint16_t)dst->family;
	id->proto = IPPROTO_ESP;
	return request(x, h);
}

int nd_xfrm_sa_del(struct nd_xfrm *x, const struct nd_addr *dst, uint32_t spi)
{
	return sa_id_send(x, XFRM_MSG_DELSA, dst, spi);
}

int nd_xfrm_sa_get(struct nd_xfrm *x, const struct nd_addr *dst, uint32_t spi)
{
	return sa_id_send(x, XFRM_MSG_GETSA, dst, spi);
}

/* The selector every netdock policy uses: UDP to dport, any address of the family. */
static void selector_put(struct xfrm_selector *sel, const struct nd_xfrm_policy *p)
{
	memset(sel, 0, sizeof(*sel));
	sel->family = (uint16_t)p->family;
	sel->proto = IPPROTO_UDP;
	sel->dport = htons(p->dport);
	sel->dport_mask = 0xffff;
}

static void mark_put(struct nlmsghdr *h, uint32_t mark)
{
	struct xfrm_mark m = { .v = mark, .m = 0xffffffff };

	mnl_attr_put(h, XFRMA_MARK, sizeof(m), &m);
}

struct nlmsghdr *nd_xfrm_policy_msg(void *buf, uint16_t type, const struct nd_xfrm_policy *p)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_info *info;
	struct xfrm_user_tmpl t = { .family = (uint16_t)p->family,
				    .reqid = p->reqid,
				    .mode = XFRM_MODE_TRANSPORT,
				    .aalgos = ~0u,
				    .ealgos = ~0u,
				    .calgos = ~0u };

	h->nlmsg_type = type;
	h->nlmsg_flags = type == XFRM_MSG_NEWPOLICY ? NLM_F_CREATE | NLM_F_EXCL : 0;
	info = mnl_nlmsg_put_extra_header(h, sizeof(*info));
	selector_put(&info->sel, p);
	info->lft.soft_byte_limit = info->lft.hard_byte_limit = XFRM_INF;
	info->lft.soft_packet_limit = info->lft.hard_packet_limit = XFRM_INF;
	info->dir = XFRM_POLICY_OUT;
	info->action = XFRM_POLICY_ALLOW;
	/* Addresses left zero: in transport mode the kernel takes the packet's. */
	t.id.proto = IPPROTO_ESP;
	mnl_attr_put(h, XFRMA_TMPL, sizeof(t), &t);
	mark_put(h, p->mark);
	return h;
}

static int policy_send(struct nd_xfrm *x, uint16_t type, const struct nd_xfrm_policy *p)
{
	char buf[ND_XFRM_MSG_MAX] __attribute__((aligned(8)));

	return request(x, nd_xfrm_policy_msg(buf, type, p));
}

int nd_xfrm_policy_add(struct nd_xfrm *x, const struct nd_xfrm_policy *p)
{
	return policy_send(x, XFRM_MSG_NEWPOLICY, p);
}

int nd_xfrm_policy_set(struct nd_xfrm *x, const struct nd_xfrm_policy *p)
{
	return policy_send(x, XFRM_MSG_UPDPOLICY, p);
}

static int policy_id_send(struct nd_xfrm *x, uint16_t type, const struct nd_xfrm_policy *p)
{
	char buf[512];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct xfrm_userpolicy_id *id;

	h->nlmsg_type = type;
	id = mnl_nlmsg_put_extra_header(h, sizeof(*id));
	selector_put(&id->sel, p);
	id->dir = XFRM_POLICY_OUT;
	mark_put(h, p->mark);
	return request(x, h);
}

int nd_xfrm_policy_del(struct nd_xfrm *x, const struct nd_xfrm_policy *p)
{
	return policy_id_send(x, XFRM_MSG_DELPOLICY, p);
}

int nd_xfrm_policy_get(struct nd_xfrm *x, const struct nd_xfrm_policy *p)
{
	return policy_id_send(x, XFRM_MSG_GETPOLICY, p);
}

int nd_xfrm_esp_probe(struct nd_xfrm *x, int family)
{
	static const uint8_t zero_key[ND_XFRM_KEY_LEN];
	struct nd_xfrm_sa sa = { .spi = PROBE_SPI, .key = zero_key };
	int r;

	sa.src.family = sa.dst.family = family;
	/* An update of an SA that is not there: everything is checked, nothing installed. */
	r = sa_send(x, XFRM_MSG_UPDSA, &sa);
	if (r == -ESRCH) {
		x->kernel_err = 0;
		x->ext_ack[0] = '\0';
		return 0;
	}
	return r < 0 ? r : 0; /* 0 would mean one existed and was updated: supported too */
}

const char *nd_xfrm_reason(const struct nd_xfrm *x, int r)
{
	return x && x->ext_ack[0] ? x->ext_ack : strerror(-r);
}
