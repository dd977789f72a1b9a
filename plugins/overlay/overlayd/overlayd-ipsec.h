/* SPDX-License-Identifier: MIT */
/* netdock-overlayd's encrypted networks: the state ipsec.c (passes) and ipsec-sched.c (when) share. */
#ifndef OVERLAYD_IPSEC_H
#define OVERLAYD_IPSEC_H

#include "ipsec.h"
#include "overlayd.h"
#include "xfrm.h"

#define IPSEC_PEERS_MAX 256
/* A pass that etcd or the kernel refused is tried again after this. */
#define IPSEC_RETRY_MS 1000

/* One local encrypted network: what it needs next. */
struct ipsec_net {
	char name[CNI_MAX_NAME];
	struct nd_addr peers[IPSEC_PEERS_MAX]; /* at its last pass: a change calls for one */
	size_t n_peers;
	char acked[ND_IPSEC_STATE_LEN];
	/* The peers and the newest key of the last pass that installed everything (or, at
	   the first, of a past run's ack still in etcd): whom this host's send SAs served. */
	struct nd_addr sent[IPSEC_PEERS_MAX];
	size_t n_sent;
	uint32_t sent_newest;
	bool prior_read; /* that past ack was looked for */
	bool apply; /* ring or peers changed: read the ring, reconcile, ack */
	bool advance; /* an ack, a request or the schedule: try the rotation's next step */
	bool seen;
	uint64_t due_ms; /* monotonic: the primary key reaches the rotation interval; 0: none */
	uint64_t retry_ms; /* monotonic: not before this after a failure */
};

struct overlayd_ipsec {
	struct nd_xfrm *x;
	struct ipsec_net *nets;
	size_t n_nets;
	uint64_t interval; /* seconds: a key's age that starts a rotation */
	uint64_t poll_ms, next_poll_ms; /* the slow full pass (why: ipsec-sched.c) */
	int monitor_fd; /* the kernel's XFRM notifications; -1 without */
};

/* ipsec.c */
struct ipsec_net *overlayd_ipsec_state(struct overlayd_ipsec *s, const char *name, bool add);
size_t overlayd_ipsec_peers(const struct agent *a, const struct local_net *l, struct nd_addr *ret);
void overlayd_ipsec_pass(struct agent *a, struct overlayd_ipsec *s, bool full, bool log);

/* ipsec-sched.c */
void overlayd_ipsec_peers_keep(struct ipsec_net *st, const struct nd_addr *peers, size_t n);

#endif
