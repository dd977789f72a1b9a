// SPDX-License-Identifier: MIT
/*
 * XFRM messages without a kernel: netdock's own SA and policy messages
 * parsed back by the dump parser (a dump carries them in the same shape),
 * dumps that lie about their lengths, and which notifications call for a
 * pass (read from a datagram socket, as from the kernel's). `test-xfrm --seed DIR` writes a
 * dump of each kind into DIR, the fuzzer's starting corpus.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/xfrm.h>

#include "ipsec.h"
#include "tap.h"
#include "xfrm.h"

#define SEQ 77

static const uint8_t KEY[ND_XFRM_KEY_LEN] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
					      11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };

struct seen {
	struct nd_xfrm_sa_info sa[4];
	struct nd_xfrm_policy_info pol[4];
	uint8_t key[4][ND_XFRM_KEY_LEN];
	size_t n_sa, n_pol;
};

static int on_sa(void *data, const struct nd_xfrm_sa_info *sa)
{
	struct seen *s = data;

	if (s->n_sa == 4)
		return -E2BIG;
	s->sa[s->n_sa] = *sa;
	if (sa->sa.key)
		memcpy(s->key[s->n_sa], sa->sa.key, ND_XFRM_KEY_LEN);
	s->n_sa++;
	return 0;
}

static int on_policy(void *data, const struct nd_xfrm_policy_info *p)
{
	struct seen *s = data;

	if (s->n_pol == 4)
		return -E2BIG;
	s->pol[s->n_pol++] = *p;
	return 0;
}

/* Appends a message as the kernel's dump would (its seq, 4-byte aligned). */
static size_t append(uint8_t *buf, size_t at, const struct nlmsghdr *h)
{
	memcpy(buf + at, h, h->nlmsg_len);
	((struct nlmsghdr *)(buf + at))->nlmsg_seq = SEQ;
	return at + NLMSG_ALIGN(h->nlmsg_len);
}

static size_t done(uint8_t *buf, size_t at, int err)
{
	struct {
		struct nlmsghdr h;
		int err;
	} m = { .h = { .nlmsg_len = NLMSG_HDRLEN + sizeof(err), .nlmsg_type = NLMSG_DONE },
		.err = err };

	return append(buf, at, &m.h);
}

static struct nd_xfrm_sa sa_of(void)
{
	struct nd_xfrm_sa sa = { .spi = 0x1234abcd, .reqid = nd_ipsec_reqid(42, 1), .key = KEY };

	nd_addr_parse("10.55.0.2", &sa.src);
	nd_addr_parse("10.55.0.1", &sa.dst);
	return sa;
}

static const struct nd_xfrm_policy POLICY = { .family = AF_INET,
					      .mark = 0xe500002a,
					      .dport = 4789,
					      .reqid = 0x40000055 };

/* An SA, a policy and the end, as one buffer: what a recv() of a dump gives. */
static size_t dump_of(uint8_t *buf)
{
	uint8_t m[ND_XFRM_MSG_MAX] __attribute__((aligned(8)));
	struct nd_xfrm_sa sa = sa_of();
	size_t at = append(buf, 0, nd_xfrm_sa_msg(m, XFRM_MSG_NEWSA, &sa));

	at = append(buf, at, nd_xfrm_policy_msg(m, XFRM_MSG_NEWPOLICY, &POLICY));
	return done(buf, at, 0);
}

static void round_trip(struct tap *t)
{
	uint8_t buf[4096] __attribute__((aligned(8)));
	struct seen s = { 0 };
	struct nd_xfrm_dump d = { .sa = on_sa, .policy = on_policy, .data = &s };
	struct nd_xfrm_sa want = sa_of();
	size_t len = dump_of(buf);
	unsigned vni = 0;

	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == 1, "a dump ends at NLMSG_DONE");
	TAP_OK(t, s.n_sa == 1 && s.n_pol == 1 && !d.skipped, "one SA and one policy");
	TAP_OK(t,
	       s.sa[0].sa.spi == want.spi && s.sa[0].sa.reqid == want.reqid &&
		       nd_addr_equal(&s.sa[0].sa.src, &want.src) &&
		       nd_addr_equal(&s.sa[0].sa.dst, &want.dst),
	       "SA: addresses, SPI and reqid as built");
	TAP_OK(t, s.sa[0].sa.key && !memcmp(s.key[0], KEY, sizeof(KEY)), "SA: its AEAD key");
	TAP_OK(t,
	       s.sa[0].proto == IPPROTO_ESP && s.sa[0].mode == XFRM_MODE_TRANSPORT &&
		       !s.sa[0].marked,
	       "SA: ESP, transport, no mark");
	TAP_OK(t,
	       s.pol[0].p.family == AF_INET && s.pol[0].p.mark == POLICY.mark &&
		       s.pol[0].p.dport == 4789 && s.pol[0].p.reqid == POLICY.reqid,
	       "policy: family, mark, port and template reqid as built");
	TAP_OK(t,
	       s.pol[0].dir == XFRM_POLICY_OUT && s.pol[0].mark_mask == 0xffffffff &&
		       s.pol[0].port_selector,
	       "policy: outbound, exact mark, netdock's selector");
	TAP_OK(t, nd_ipsec_reqid_vni(want.reqid, &vni) && vni == 42, "reqid names VNI 42");
	TAP_OK(t, nd_ipsec_reqid_vni(nd_ipsec_reqid_none(7), &vni) && vni == 7,
	       "the no-key reqid names its VNI");
	TAP_OK(t, !nd_ipsec_reqid_vni(7, &vni) && !nd_ipsec_mark_vni(0x2a, &vni),
	       "someone else's reqid and mark are not netdock's");
	s = (struct seen){ 0 };
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ + 1, &d) == 0 && !s.n_sa,
	       "another request's answers are passed over");
}

/* Each lie in turn: a length, an attribute, a key longer than its attribute. */
static void lies(struct tap *t)
{
	uint8_t buf[4096] __attribute__((aligned(8)));
	struct seen s = { 0 };
	struct nd_xfrm_dump d = { .sa = on_sa, .policy = on_policy, .data = &s };
	size_t len = dump_of(buf);
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	struct nlattr *aead = (struct nlattr *)(buf + NLMSG_HDRLEN +
						NLMSG_ALIGN(sizeof(struct xfrm_usersa_info)));
	struct xfrm_algo_aead *alg = (struct xfrm_algo_aead *)(aead + 1);
	uint32_t saved = h->nlmsg_len;

	h->nlmsg_len = (uint32_t)len + 4;
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == 0 && !s.n_sa,
	       "a message longer than the buffer ends the walk");
	h->nlmsg_len = NLMSG_HDRLEN + 8;
	TAP_OK(t, nd_xfrm_dump_parse(buf, NLMSG_HDRLEN + 8, SEQ, &d) == 0 && d.skipped == 1,
	       "an SA message shorter than its fixed header is skipped");
	h->nlmsg_len = saved;
	d.skipped = 0;
	alg->alg_key_len = 8 * 200;
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == 1 && s.n_sa == 1 && !s.sa[0].sa.key,
	       "a key longer than its attribute is no key");
	alg->alg_key_len = 8 * ND_XFRM_KEY_LEN;
	memset(alg->alg_name, 'x', sizeof(alg->alg_name));
	s.n_sa = 0;
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == 1 && !s.sa[0].sa.key,
	       "an algorithm name without its NUL is no key");
	aead->nla_len = 0xffff;
	s.n_sa = 0;
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == 1 && s.n_sa == 1 && !s.sa[0].sa.key,
	       "an attribute past its message is not read");
	len = done(buf, 0, -EINTR);
	TAP_OK(t, nd_xfrm_dump_parse(buf, len, SEQ, &d) == -EINTR, "the dump's own error");
	TAP_OK(t, nd_xfrm_dump_parse(buf, 3, SEQ, &d) == 0, "three bytes: nothing to read");
}

/* One notification of the given type: an SA's message (it carries the key, as the kernel's does). */
static size_t notification(uint8_t *buf, uint16_t type)
{
	uint8_t m[ND_XFRM_MSG_MAX] __attribute__((aligned(8)));
	struct nd_xfrm_sa sa = sa_of();
	struct nlmsghdr *h = nd_xfrm_sa_msg(m, XFRM_MSG_NEWSA, &sa);
	size_t len;

	h->nlmsg_type = type;
	len = append(buf, 0, h);
	explicit_bzero(m, sizeof(m));
	return len;
}

static void monitor(struct tap *t)
{
	static const uint16_t others[] = { XFRM_MSG_UPDSA,	 XFRM_MSG_FLUSHSA,
					   XFRM_MSG_EXPIRE,	 XFRM_MSG_NEWPOLICY,
					   XFRM_MSG_UPDPOLICY,	 XFRM_MSG_DELPOLICY,
					   XFRM_MSG_FLUSHPOLICY, XFRM_MSG_POLEXPIRE };
	uint8_t buf[2 * ND_XFRM_MSG_MAX] __attribute__((aligned(8))), big[9000] = { 0 };
	size_t len = notification(buf, XFRM_MSG_NEWSA);
	bool all = true;
	int sv[2];

	TAP_OK(t, !nd_xfrm_monitor_news(buf, len), "a new SA calls for no pass");
	len += notification(buf + len, XFRM_MSG_DELSA);
	TAP_OK(t, nd_xfrm_monitor_news(buf, len), "a deleted SA after it does");
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		all = all && nd_xfrm_monitor_news(buf, notification(buf, others[i]));
	TAP_OK(t, all, "an SA updated, flushed or expired, any policy change: a pass");
	len = notification(buf, XFRM_MSG_DELSA);
	((struct nlmsghdr *)buf)->nlmsg_len = (uint32_t)len + 64;
	TAP_OK(t, !nd_xfrm_monitor_news(buf, len), "a message longer than the buffer is not read");
	((struct nlmsghdr *)buf)->nlmsg_len = 0xffffffffu;
	TAP_OK(t, !nd_xfrm_monitor_news(buf, len),
	       "a length of 2^32 - 1 ends the walk (no step of 0)");
	TAP_OK(t, !nd_xfrm_monitor_news(buf, 3), "three bytes: nothing");

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv) < 0) {
		TAP_OK(t, false, "socketpair: %s", strerror(errno));
		return;
	}
	TAP_OK(t, nd_xfrm_monitor_drain(sv[1]) == 0, "drain: nothing there");
	len = notification(buf, XFRM_MSG_NEWSA);
	TAP_OK(t,
	       send(sv[0], buf, len, 0) == (ssize_t)len && send(sv[0], buf, len, 0) > 0 &&
		       nd_xfrm_monitor_drain(sv[1]) == 0,
	       "drain: two new SAs, no pass");
	len = notification(buf, XFRM_MSG_FLUSHSA);
	TAP_OK(t,
	       send(sv[0], buf, len, 0) > 0 && nd_xfrm_monitor_drain(sv[1]) == 1 &&
		       nd_xfrm_monitor_drain(sv[1]) == 0,
	       "drain: a flush, a pass, then the socket is empty");
	TAP_OK(t, send(sv[0], big, sizeof(big), 0) > 0 && nd_xfrm_monitor_drain(sv[1]) == 1,
	       "drain: a datagram larger than the buffer, cut: a pass");
	explicit_bzero(buf, sizeof(buf));
	close(sv[0]);
	close(sv[1]);
}

static int seed(const char *dir)
{
	uint8_t buf[4096] __attribute__((aligned(8)));
	char path[4096];
	size_t len = dump_of(buf);
	FILE *f;

	snprintf(path, sizeof(path), "%s/sa-policy", dir);
	f = fopen(path, "we");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct tap t = { 0 };

	if (argc == 3 && !strcmp(argv[1], "--seed"))
		return seed(argv[2]);
	round_trip(&t);
	lies(&t);
	monitor(&t);
	return tap_done(&t);
}
