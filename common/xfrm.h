/* SPDX-License-Identifier: MIT */
/*
 * XFRM netlink (IPsec SAs and policies in the kernel) on libmnl: one request
 * per function, sent once, the kernel's errno and extended-ack text kept.
 * ESP in transport mode with rfc4106(gcm(aes)), 128-bit ICV, only.
 */
#ifndef ND_XFRM_H
#define ND_XFRM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cleanup.h"
#include "ip.h"

/* AES-128 key plus the 4-byte salt of RFC 4106 (the nonce's fixed part). */
#define ND_XFRM_KEY_LEN 20
#define ND_XFRM_ICV_BITS 128
#define ND_XFRM_AEAD "rfc4106(gcm(aes))"

struct nd_xfrm {
	struct mnl_socket *nl;
	uint32_t seq;
	int kernel_err; /* last nlmsgerr->error (negative errno), 0 if none */
	char ext_ack[256]; /* the kernel's extended-ack text for it, "" if none */
};

/* Opens a NETLINK_XFRM socket in the calling thread's netns. Returns 0 or -errno. */
int nd_xfrm_open(struct nd_xfrm **ret);
void nd_xfrm_close(struct nd_xfrm *x);
ND_CLEANUP(struct nd_xfrm *, nd_xfrm_close)

/* One ESP transport-mode SA, src -> dst. The key is borrowed, never copied elsewhere. */
struct nd_xfrm_sa {
	struct nd_addr src, dst; /* same family */
	uint32_t spi; /* host order, >= 256 (RFC 4303 reserves 1-255) */
	uint32_t reqid; /* ties the SA to the template of a policy */
	const uint8_t *key; /* ND_XFRM_KEY_LEN bytes */
};

/* XFRM_MSG_NEWSA: -EEXIST when (dst, spi) exists; -EPROTONOSUPPORT without ESP. */
int nd_xfrm_sa_add(struct nd_xfrm *x, const struct nd_xfrm_sa *sa);
/* XFRM_MSG_DELSA by (dst, spi, ESP): -ESRCH when it is not there. */
int nd_xfrm_sa_del(struct nd_xfrm *x, const struct nd_addr *dst, uint32_t spi);
/* XFRM_MSG_GETSA: 0 when (dst, spi) exists, -ESRCH when not. */
int nd_xfrm_sa_get(struct nd_xfrm *x, const struct nd_addr *dst, uint32_t spi);

/*
 * An outbound policy for the UDP packets to dport carrying a mark (matched
 * exactly): ESP transport is required, the SA is the one whose reqid the
 * template names and whose addresses are the packet's. With no such SA the
 * kernel drops the packet (it never leaves in clear).
 */
struct nd_xfrm_policy {
	int family; /* AF_INET or AF_INET6 */
	uint32_t mark;
	uint16_t dport;
	uint32_t reqid;
};

/* XFRM_MSG_NEWPOLICY: -EEXIST when a policy with this selector, mark and direction is there. */
int nd_xfrm_policy_add(struct nd_xfrm *x, const struct nd_xfrm_policy *p);
/* XFRM_MSG_UPDPOLICY: creates the policy or swaps its template in one step. */
int nd_xfrm_policy_set(struct nd_xfrm *x, const struct nd_xfrm_policy *p);
/* XFRM_MSG_DELPOLICY by selector, mark and direction: -ENOENT when not there. */
int nd_xfrm_policy_del(struct nd_xfrm *x, const struct nd_xfrm_policy *p);
/* XFRM_MSG_GETPOLICY by the same: 0 when there, -ENOENT when not (the template is not compared). */
int nd_xfrm_policy_get(struct nd_xfrm *x, const struct nd_xfrm_policy *p);

/*
 * Dumps (xfrm-dump.c): what the kernel holds, one message at a time. Every
 * length and attribute is checked before it is read; a message that does
 * not parse is skipped and counted, never guessed at.
 */
struct nd_xfrm_sa_info {
	/* key points into the dump's buffer (wiped after the callback); NULL unless the
	   SA's AEAD is ND_XFRM_AEAD with a ND_XFRM_KEY_LEN-byte key and ND_XFRM_ICV_BITS ICV */
	struct nd_xfrm_sa sa;
	uint8_t proto, mode;
	bool marked; /* carries an XFRMA_MARK other than 0/0 (netdock's SAs carry none) */
};

struct nd_xfrm_policy_info {
	/* family, mark (its value), dport, and the reqid of its template: 0 unless it
	   has exactly one, ESP in transport mode */
	struct nd_xfrm_policy p;
	uint8_t dir;
	uint32_t mark_mask; /* 0 without XFRMA_MARK */
	bool port_selector; /* UDP to one port from and to any address: netdock's selector */
};

struct nd_xfrm_dump {
	/* Either may be NULL; after a negative return the rest is read but not handed on. */
	int (*sa)(void *data, const struct nd_xfrm_sa_info *sa);
	int (*policy)(void *data, const struct nd_xfrm_policy_info *p);
	void *data;
	size_t skipped; /* messages that did not parse */
	int err; /* the first callback's error */
	bool interrupted; /* the kernel flagged the dump inconsistent (NLM_F_DUMP_INTR) */
};

/*
 * One buffer of answers to the dump request seq: 1 at NLMSG_DONE, 0 when
 * more is to come, or the kernel's -errno (a callback's goes to d->err). buf must be
 * 4-byte aligned, as recv() buffers are.
 */
int nd_xfrm_dump_parse(const void *buf, size_t len, uint32_t seq, struct nd_xfrm_dump *d);
/* XFRM_MSG_GETSA with NLM_F_DUMP (ESP only): d->sa for each. -EAGAIN when interrupted. */
int nd_xfrm_sa_dump(struct nd_xfrm *x, struct nd_xfrm_dump *d);
/* XFRM_MSG_GETPOLICY with NLM_F_DUMP: d->policy for each. -EAGAIN when interrupted. */
int nd_xfrm_policy_dump(struct nd_xfrm *x, struct nd_xfrm_dump *d);

/*
 * The messages the requests above send (XFRM_MSG_NEWSA/UPDSA,
 * NEWPOLICY/UPDPOLICY), built into buf (ND_XFRM_MSG_MAX bytes, 8-byte
 * aligned): a dump carries SAs and policies in the same shape, so tests
 * parse them back (the SA's message holds its key: wipe buf).
 */
#define ND_XFRM_MSG_MAX 1024
struct nlmsghdr;
struct nlmsghdr *nd_xfrm_sa_msg(void *buf, uint16_t type, const struct nd_xfrm_sa *sa);
struct nlmsghdr *nd_xfrm_policy_msg(void *buf, uint16_t type, const struct nd_xfrm_policy *p);

/*
 * Whether this kernel can run ESP with the AEAD above: builds a full SA and
 * asks to update one that cannot exist, so nothing is installed. Returns 0
 * (supported), or the kernel's errno (-EPROTONOSUPPORT: no esp4/esp6;
 * -ENOSYS: no rfc4106(gcm(aes))), its text in x->ext_ack.
 */
int nd_xfrm_esp_probe(struct nd_xfrm *x, int family);

/*
 * The kernel's SA and policy notifications (xfrm-monitor.c): a non-blocking
 * socket in the calling thread's netns on XFRMGRP_SA, _POLICY and _EXPIRE.
 * nd_xfrm_monitor_news: whether a buffer of them holds one that may have
 * undone an SA or a policy (anything but a new SA). nd_xfrm_monitor_drain
 * reads all there is: 1 when one did (or some were lost), 0, or -errno.
 */
int nd_xfrm_monitor_open(int *ret_fd);
bool nd_xfrm_monitor_news(const void *buf, size_t len);
int nd_xfrm_monitor_drain(int fd);

/* The kernel's last reason, or strerror of r: for CNI details and logs. */
const char *nd_xfrm_reason(const struct nd_xfrm *x, int r);

#endif
