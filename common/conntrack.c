// SPDX-License-Identifier: MIT
/*
 * conntrack entries deleted over nfnetlink_conntrack (libmnl): the kernel has
 * no delete-by-port filter, so a dump collects the original tuples that match
 * and a delete per tuple follows (deleting while dumping would skip entries).
 */
#include "conntrack.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cleanup.h"
#include "closer.h"

#define CT_BUF_SIZE 32768 /* a dump answers in skbs sized after the reader's buffer */
#define CT_TUPLE_MAX 256 /* an original tuple nest is < 100 bytes; larger ones are skipped */

ND_CLEANUP(struct mnl_socket *, mnl_socket_close)

struct ct_tuple {
	uint8_t proto;
	uint16_t dport;
	uint8_t src[16];
};

/* The original tuples to delete, copied whole (attribute header included). */
struct ct_dump {
	const struct nd_ct_flow *f;
	size_t n;
	int family;
	uint8_t (*victims)[CT_TUPLE_MAX];
	size_t n_victims, cap;
};

static void tuple_part(const struct nlattr *nest, struct ct_tuple *t)
{
	const struct nlattr *b;

	mnl_attr_for_each_nested(b, nest)
	{
		uint16_t type = mnl_attr_get_type(b), len = mnl_attr_get_payload_len(b);

		if ((type == CTA_IP_V4_SRC && len == 4) || (type == CTA_IP_V6_SRC && len == 16))
			memcpy(t->src, mnl_attr_get_payload(b), len);
		else if (type == CTA_PROTO_NUM && len >= 1)
			t->proto = mnl_attr_get_u8(b);
		else if (type == CTA_PROTO_DST_PORT && len >= 2)
			t->dport = ntohs(mnl_attr_get_u16(b));
	}
}

static void tuple_parse(const struct nlattr *nest, struct ct_tuple *t)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest)
	{
		uint16_t type = mnl_attr_get_type(a);

		if (type == CTA_TUPLE_IP || type == CTA_TUPLE_PROTO)
			tuple_part(a, t);
	}
}

static bool ct_matches(const struct ct_dump *d, const struct ct_tuple *orig,
		       const struct ct_tuple *reply)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct nd_ct_flow *f = &d->f[i];

		if (f->target.family == d->family && f->proto == orig->proto &&
		    f->port == orig->dport &&
		    !memcmp(f->target.bytes, reply->src, d->family == AF_INET6 ? 16 : 4))
			return true;
	}
	return false;
}

static int ct_keep(struct ct_dump *d, const struct nlattr *orig)
{
	size_t len = mnl_attr_get_len(orig);

	if (len > CT_TUPLE_MAX)
		return MNL_CB_OK;
	if (d->n_victims == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		void *v = realloc(d->victims, cap * CT_TUPLE_MAX);

		if (!v)
			return MNL_CB_ERROR;
		d->victims = v;
		d->cap = cap;
	}
	memcpy(d->victims[d->n_victims++], orig, len);
	return MNL_CB_OK;
}

static int ct_entry(const struct nlmsghdr *nlh, void *data)
{
	struct ct_dump *d = data;
	const struct nlattr *a, *orig = NULL;
	struct ct_tuple o = { 0 }, r = { 0 };

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
	{
		if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG) {
			orig = a;
			tuple_parse(a, &o);
		} else if (mnl_attr_get_type(a) == CTA_TUPLE_REPLY) {
			tuple_parse(a, &r);
		}
	}
	return orig && ct_matches(d, &o, &r) ? ct_keep(d, orig) : MNL_CB_OK;
}

static struct nlmsghdr *ct_header(void *buf, uint8_t msg, uint16_t flags, int family, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = (uint8_t)family;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Sends nlh and reads the answer through cb until the kernel is done; returns 0 or -errno. */
static int ct_talk(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		   void *buf)
{
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t len;
	int r;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl, buf, CT_BUF_SIZE);
		if (len < 0)
			return -errno;
		r = mnl_cb_run(buf, (size_t)len, nlh->nlmsg_seq, portid, cb, data);
	} while (r > MNL_CB_STOP);
	return r < 0 ? -errno : 0;
}

static int ct_forget_family(struct mnl_socket *nl, struct ct_dump *d, void *buf, uint32_t *seq)
{
	int r, deleted = 0;
	struct nlmsghdr *nlh = ct_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, d->family, ++*seq);

	d->n_victims = 0;
	r = ct_talk(nl, nlh, ct_entry, d, buf);
	if (r < 0)
		return r == -ENOENT || r == -EPROTONOSUPPORT ? 0 : r;
	for (size_t i = 0; i < d->n_victims; i++) {
		const struct nlattr *orig = (const void *)d->victims[i];

		nlh = ct_header(buf, IPCTNL_MSG_CT_DELETE, NLM_F_ACK, d->family, ++*seq);
		memcpy(mnl_nlmsg_get_payload_tail(nlh), orig, orig->nla_len);
		nlh->nlmsg_len += MNL_ALIGN(orig->nla_len);
		r = ct_talk(nl, nlh, NULL, NULL, buf);
		if (r < 0 && r != -ENOENT) /* ENOENT: the flow ended on its own meanwhile */
			return r;
		deleted += r == 0;
	}
	return deleted;
}

static bool wants_family(const struct nd_ct_flow *f, size_t n, int family)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].target.family == family)
			return true;
	return false;
}

int nd_conntrack_forget(const struct nd_ct_flow *f, size_t n, const char *run_dir)
{
	_cleanup_(mnl_socket_closep) struct mnl_socket *nl = NULL;
	_cleanup_(freep) void *buf = NULL;
	struct ct_dump d = { .f = f, .n = n };
	uint32_t seq = (uint32_t)time(NULL);
	int r = 0, total = 0;

	if (!n)
		return 0;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	buf = malloc(CT_BUF_SIZE);
	if (!nl || !buf)
		return nl ? -ENOMEM : -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	for (int v6 = 0; v6 < 2 && r >= 0; v6++) {
		d.family = v6 ? AF_INET6 : AF_INET;
		if (!wants_family(f, n, d.family))
			continue; /* a dump walks the whole table: only for a family we need */
		r = ct_forget_family(nl, &d, buf, &seq);
		total += r > 0 ? r : 0;
	}
	free(d.victims);
	/* A netfilter socket too: its close waits like an nftables one's (closer.h). */
	if (run_dir)
		nd_closer_hand_over(run_dir, mnl_socket_get_fd(nl));
	return r < 0 ? r : total;
}
