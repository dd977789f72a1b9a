/* SPDX-License-Identifier: MIT */
/*
 * Encrypted overlay networks: the identifiers (mark, reqid, SPI) and the
 * per-direction keys of a network's ESP SAs, the key ring kept in etcd, and
 * the kernel steps that bring one host's SAs and policy to what a key ring
 * says. See plugins/overlay/README.md, "Encrypted networks".
 */
#ifndef ND_IPSEC_H
#define ND_IPSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ip.h"
#include "xfrm.h"

/* Every encrypted network's VXLAN packets carry this mark, ORed with the VNI. */
#define ND_IPSEC_MARK_BASE 0xe5000000u
/* Reqids of netdock's SAs: base | VNI << 1 | key id parity. */
#define ND_IPSEC_REQID_BASE 0x40000000u
#define ND_IPSEC_SECRET_LEN 32
/* A ring holds the key in use and at most one next or previous one. */
#define ND_IPSEC_MAX_KEYS 2

struct nd_ipsec_key {
	uint32_t id; /* 1, 2, ...: each rotation takes the next */
	uint64_t created; /* unix seconds */
	uint8_t secret[ND_IPSEC_SECRET_LEN];
};

/*
 * A network's keys as etcd holds them. primary is the id hosts send with;
 * every key of the ring is installed for receiving (and sending, unused
 * until primary names it) on every host.
 */
struct nd_ipsec_ring {
	struct nd_ipsec_key keys[ND_IPSEC_MAX_KEYS];
	size_t n;
	uint32_t primary; /* 0: no key yet (traffic drops) */
};

uint32_t nd_ipsec_mark(unsigned vni);
uint32_t nd_ipsec_reqid(unsigned vni, uint32_t key_id);
/* The reqid of a policy before the first key: no SA ever carries it. */
uint32_t nd_ipsec_reqid_none(unsigned vni);
/* The VNI a reqid or mark of netdock's names; false for any other (not netdock's). */
bool nd_ipsec_reqid_vni(uint32_t reqid, unsigned *ret_vni);
bool nd_ipsec_mark_vni(uint32_t mark, unsigned *ret_vni);
/* SPI of the SA src -> dst for the key: distinct per sender, network and key (>= 256). */
uint32_t nd_ipsec_spi(const struct nd_addr *src, const struct nd_addr *dst, unsigned vni,
		      uint32_t key_id);
/* The AEAD key and salt of direction src -> dst: HMAC-SHA256 of the ring's secret. */
void nd_ipsec_derive(const struct nd_ipsec_key *k, const struct nd_addr *src,
		     const struct nd_addr *dst, unsigned vni, uint8_t out[ND_XFRM_KEY_LEN]);

/* ring.c-like helpers (ipsec-ring.c) */
/* A new key (id after the ring's newest) from getrandom(); -EBUSY when the ring is full. */
int nd_ipsec_ring_begin(struct nd_ipsec_ring *ring, uint64_t now);
/* Sends with the newest key from now on; -ENOENT when it is already primary. */
int nd_ipsec_ring_promote(struct nd_ipsec_ring *ring);
/* Drops every key but the primary; returns how many went. */
int nd_ipsec_ring_retire(struct nd_ipsec_ring *ring);
const struct nd_ipsec_key *nd_ipsec_ring_find(const struct nd_ipsec_ring *ring, uint32_t id);
/* The ring's highest key id, 0 for an empty ring. */
uint32_t nd_ipsec_ring_newest(const struct nd_ipsec_ring *ring);
/* JSON of etcd's value: {"primary":N,"keys":[{"id":N,"created":T,"secret":"base64"}]}. */
cJSON *nd_ipsec_ring_to_json(const struct nd_ipsec_ring *ring);
/* Parses and checks it; -EINVAL names nothing secret (errors say which field). */
int nd_ipsec_ring_from_json(const cJSON *j, struct nd_ipsec_ring *ret, const char **ret_field);
void nd_ipsec_ring_wipe(struct nd_ipsec_ring *ring);

/*
 * What a host has installed, as it acks it in etcd: "primary:newest id".
 * A rotation advances only when every host with the network acked the
 * ring's current state, so nobody sends with a key some host cannot yet
 * receive, and no key goes while a host may still send with it.
 */
#define ND_IPSEC_STATE_LEN 24
void nd_ipsec_ring_state(const struct nd_ipsec_ring *ring, char buf[ND_IPSEC_STATE_LEN]);

enum {
	ND_IPSEC_STEP_NONE = 0,
	ND_IPSEC_STEP_FIRST, /* the network's first key, sent with at once */
	ND_IPSEC_STEP_BEGIN, /* a new key, for receiving only */
	ND_IPSEC_STEP_PROMOTE, /* every host receives it: send with it */
	ND_IPSEC_STEP_RETIRE, /* every host sends with it: the old one goes */
};

/*
 * The rotation's next step for the ring, given every host's ack, whether a
 * rotation was asked for, and the schedule (a key is replaced once it is
 * interval seconds old). Returns the step done (the ring changed) or
 * ND_IPSEC_STEP_NONE, or -errno.
 */
int nd_ipsec_ring_next(struct nd_ipsec_ring *ring, const char *const *acks, size_t n_acks,
		       bool requested, uint64_t now, uint64_t interval);

/* Kernel steps (ipsec-apply.c), one host's view of one network. */
struct nd_ipsec_net {
	unsigned vni;
	uint16_t port; /* the VXLAN UDP port */
	struct nd_addr local; /* this host's VTEP */
};

/*
 * The outbound policy: VXLAN of the network is sent only through the SA of
 * key_id (0: of no key, so it drops). Installing or switching is one step.
 */
int nd_ipsec_policy_apply(struct nd_xfrm *x, const struct nd_ipsec_net *n, uint32_t key_id);
/* The policy without a key when none is there; one that exists is left as it is. */
int nd_ipsec_policy_ensure(struct nd_xfrm *x, const struct nd_ipsec_net *n);
int nd_ipsec_policy_remove(struct nd_xfrm *x, const struct nd_ipsec_net *n);
/* 0 when the network's policy is there, -ENOENT when not. */
int nd_ipsec_policy_exists(struct nd_xfrm *x, const struct nd_ipsec_net *n);
/* Both SAs (in and out) of one key with one peer; EEXIST counts as done. */
int nd_ipsec_peer_add(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		      const struct nd_ipsec_key *k);
/*
 * One direction only: receive (peer -> here) or send (here -> peer). A peer
 * that comes back must find a fresh receive SA here (its sequence numbers
 * may start over after a reboot, and the replay window would drop them),
 * while its own receive SA still expects ours to go on.
 */
int nd_ipsec_rx_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		    uint32_t key_id);
int nd_ipsec_tx_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		    uint32_t key_id);
/* Removes both; already gone counts as done. */
int nd_ipsec_peer_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		      uint32_t key_id);

int nd_ipsec_apply(struct nd_xfrm *x, const struct nd_ipsec_net *n,
		   const struct nd_ipsec_ring *ring, const struct nd_addr *peers, size_t n_peers);

/* Reconciliation from the kernel's dumps (ipsec-reconcile.c). */
struct nd_ipsec_target {
	struct nd_ipsec_net n;
	const struct nd_ipsec_ring
		*ring; /* NULL: not read this time; its VNI's state stays as it is */
	const struct nd_addr *peers; /* the hosts with endpoints on the network */
	size_t n_peers;
	/* The peers this host sent to before, with the keys up to sent_newest (0: none known). */
	const struct nd_addr *sent_to;
	size_t n_sent_to;
	uint32_t sent_newest;
	int err; /* set by nd_ipsec_reconcile: 0, or why its SAs or policy could not all be set */
	/*
	 * Set by nd_ipsec_reconcile: a send SA to one of sent_to, of a key up to
	 * sent_newest, had to be added again (the kernel lost it: a flush, a
	 * reboot). Its sequence starts over at 1 while the peer's receive SA
	 * expects it to go on, and that replay window drops it: only new SAs
	 * on both sides, a new key, fix that.
	 */
	bool send_restarted;
};

struct nd_ipsec_count {
	unsigned kept, added, updated, removed;
};

struct nd_ipsec_tally {
	struct nd_ipsec_count sa, policy;
	unsigned failed; /* kernel requests refused (each logged) */
	size_t skipped; /* dump messages that did not parse */
};

/*
 * Dumps the kernel's SAs and policies once each and sends only the
 * difference to what the targets say (netdock's own are told by their
 * reqids and marks; nobody else's is touched):
 * - a target with a ring: every key's SAs with every peer, receive side
 *   first, then the policy on the primary key; its send SAs to hosts that
 *   are peers no more stay while their key is in the ring (their receive SA
 *   may expect our sequence to go on); the rest of its VNI goes, after the
 *   policy moved;
 * - netdock's SAs of a VNI no target names go; its policies there go only
 *   when nothing marks that VNI's packets (no nftables element): a policy
 *   the plugin made before the record that names its network stays.
 * A send SA that had to be added again for a peer and key in sent_to sets
 * send_restarted. An SA or policy that is right is left alone (no traffic
 * gap). A target whose SAs could not all be added keeps its policy and old
 * SAs. Returns 0 or the first error; *ret counts what was kept, added,
 * updated, removed.
 */
int nd_ipsec_reconcile(struct nd_xfrm *x, struct nd_ipsec_target *t, size_t n_t,
		       struct nd_ipsec_tally *ret);

#endif
