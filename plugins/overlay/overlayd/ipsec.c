// SPDX-License-Identifier: MIT
/*
 * Encrypted networks in netdock-overlayd: for every local overlay network
 * whose record says "encrypted", the network's key ring from etcd is
 * brought into the kernel for each host that has endpoints on it (SAs both
 * ways, the policy on the primary key), acked, and the rotation advanced
 * (common/ipsec.h, common/ipsec-store.h). Runs before the FDB entries are
 * programmed, so a new peer's first packets already find their SA.
 */
#include "overlayd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipsec-store.h"
#include "ipsec.h"
#include "log.h"
#include "xfrm.h"

#define IPSEC_PASS_MS 1000
#define IPSEC_PEERS_MAX 256
/* Docker's swarm rotates its overlay keys every 12 hours. */
#define IPSEC_INTERVAL_DEFAULT (12 * 3600)

/* What this agent installed for one network: to remove it when peers or the network go. */
struct ipsec_net {
	char name[CNI_MAX_NAME];
	struct nd_ipsec_net n;
	struct nd_addr peers[IPSEC_PEERS_MAX];
	size_t n_peers;
	/* Peers that left: their receive SAs went, our send SAs stay until their key retires. */
	struct nd_addr gone[IPSEC_PEERS_MAX];
	size_t n_gone;
	uint32_t ids[ND_IPSEC_MAX_KEYS];
	size_t n_ids;
	char acked[ND_IPSEC_STATE_LEN];
	bool seen; /* still local and encrypted in this pass */
};

struct overlayd_ipsec {
	struct nd_xfrm *x;
	struct ipsec_net *nets;
	size_t n_nets;
	uint64_t next_ms, interval;
	struct nd_addr peers[IPSEC_PEERS_MAX]; /* scratch for one network's pass */
};

static uint64_t interval_of(void)
{
	const char *env = getenv("NETDOCK_IPSEC_INTERVAL");
	unsigned long v = env ? strtoul(env, NULL, 10) : 0;

	return v ? v : IPSEC_INTERVAL_DEFAULT;
}

static struct ipsec_net *state_of(struct overlayd_ipsec *s, const char *name)
{
	struct ipsec_net *v;

	for (size_t i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i].name, name))
			return &s->nets[i];
	v = realloc(s->nets, (s->n_nets + 1) * sizeof(*v));
	if (!v)
		return NULL;
	s->nets = v;
	v = &s->nets[s->n_nets++];
	*v = (struct ipsec_net){ 0 };
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

/* The VTEPs of the other hosts with endpoints on the network. */
static size_t peers_of(const struct agent *a, const struct local_net *l, struct nd_addr *ret)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n_remotes; i++) {
		const struct remote *r = &a->remotes[i];
		bool dup = nd_addr_equal(&r->vtep, &l->o.vtep);

		for (size_t j = 0; j < n && !dup; j++)
			dup = nd_addr_equal(&ret[j], &r->vtep);
		if (!dup && n < IPSEC_PEERS_MAX && !strcmp(r->net, l->o.name) &&
		    r->vtep.family == l->o.vtep.family)
			ret[n++] = r->vtep;
	}
	return n;
}

static bool has_peer(const struct nd_addr *v, size_t n, const struct nd_addr *p)
{
	for (size_t i = 0; i < n; i++)
		if (nd_addr_equal(&v[i], p))
			return true;
	return false;
}

static void log_del(const struct ipsec_net *st, const struct nd_addr *p, struct nd_xfrm *x, int r)
{
	char addr[ND_ADDR_STRLEN];

	if (r < 0)
		nd_warn("overlayd: ipsec %s: removing an SA of %s: %s", st->name,
			nd_addr_to_str(p, addr), nd_xfrm_reason(x, r));
}

/*
 * Peers that left (all, when the network went, all == true): their receive
 * SAs go now, so a peer that comes back (after a reboot its sequence numbers
 * start over) gets fresh ones; our send SAs to them stay while their key
 * lives, as their receive SA may still expect our sequence to go on.
 */
static void drop_peers(struct overlayd_ipsec *s, struct ipsec_net *st, const struct nd_addr *keep,
		       size_t n_keep, bool all)
{
	for (size_t p = 0; p < st->n_peers; p++) {
		if (has_peer(keep, n_keep, &st->peers[p]))
			continue;
		for (size_t k = 0; k < st->n_ids; k++) {
			log_del(st, &st->peers[p], s->x,
				nd_ipsec_rx_del(s->x, &st->n, &st->peers[p], st->ids[k]));
			if (all)
				log_del(st, &st->peers[p], s->x,
					nd_ipsec_tx_del(s->x, &st->n, &st->peers[p], st->ids[k]));
		}
		if (!all && st->n_gone < IPSEC_PEERS_MAX &&
		    !has_peer(st->gone, st->n_gone, &st->peers[p]))
			st->gone[st->n_gone++] = st->peers[p];
	}
}

/* Gone peers that are back, or whose keys all retired, leave the list. */
static void gone_update(struct overlayd_ipsec *s, struct ipsec_net *st,
			const struct nd_ipsec_ring *ring, const struct nd_addr *peers,
			size_t n_peers)
{
	for (size_t g = 0; g < st->n_gone; g++) {
		bool back = has_peer(peers, n_peers, &st->gone[g]), live = false;

		for (size_t k = 0; k < st->n_ids; k++) {
			if (nd_ipsec_ring_find(ring, st->ids[k])) {
				live = true;
				continue;
			}
			log_del(st, &st->gone[g], s->x,
				nd_ipsec_tx_del(s->x, &st->n, &st->gone[g], st->ids[k]));
		}
		if (back || !live) {
			st->gone[g] = st->gone[--st->n_gone];
			g--;
		}
	}
}

static void remember(struct ipsec_net *st, const struct nd_ipsec_ring *ring,
		     const struct nd_addr *peers, size_t n_peers)
{
	memcpy(st->peers, peers, n_peers * sizeof(*peers));
	st->n_peers = n_peers;
	st->n_ids = ring->n;
	for (size_t k = 0; k < ring->n; k++)
		st->ids[k] = ring->keys[k].id;
}

/* One network: ring -> kernel -> ack -> maybe a rotation step. Returns the step or -errno. */
static int net_pass(struct agent *a, struct overlayd_ipsec *s, const struct local_net *l)
{
	struct nd_addr *peers = s->peers;
	struct ipsec_net *st = state_of(s, l->o.name);
	struct nd_ipsec_ring ring = { 0 };
	char state[ND_IPSEC_STATE_LEN];
	size_t n_peers = peers_of(a, l, peers);
	int r;

	if (!st)
		return -ENOMEM;
	st->seen = true;
	st->n = (struct nd_ipsec_net){ .vni = l->o.vni,
				       .port = (uint16_t)l->o.port,
				       .local = l->o.vtep };
	r = nd_ipsec_store_ensure(a->e, l->o.name, (uint64_t)time(NULL), &ring);
	if (r < 0)
		return r; /* etcd away: the kernel keeps what it has */
	r = nd_ipsec_apply(s->x, &st->n, &ring, peers, n_peers);
	if (r >= 0) {
		drop_peers(s, st, peers, n_peers, false);
		gone_update(s, st, &ring, peers, n_peers);
		remember(st, &ring, peers, n_peers);
		nd_ipsec_ring_state(&ring, state);
		if (strcmp(state, st->acked))
			r = nd_ipsec_store_ack(a->e, l->o.name, a->host, &ring, a->lease);
		if (r >= 0)
			snprintf(st->acked, sizeof(st->acked), "%s", state);
	} else {
		nd_warn("overlayd: ipsec %s: %s", l->o.name, nd_xfrm_reason(s->x, r));
	}
	nd_ipsec_ring_wipe(&ring);
	return r < 0 ? r :
		       nd_ipsec_store_advance(a->e, l->o.name, (uint64_t)time(NULL), s->interval);
}

void overlayd_ipsec_sync(struct agent *a, bool now)
{
	struct overlayd_ipsec *s = a->ipsec;
	bool again = false;

	if (!s && !(s = a->ipsec = calloc(1, sizeof(*s))))
		return;
	if (!now && overlayd_now_ms() < s->next_ms)
		return;
	if (!s->x && nd_xfrm_open(&s->x) < 0)
		return;
	s->interval = interval_of();
	for (size_t i = 0; i < s->n_nets; i++)
		s->nets[i].seen = false;
	for (size_t i = 0; i < a->n_nets; i++) {
		int r = a->nets[i].o.encrypted ? net_pass(a, s, &a->nets[i]) : 0;

		if (r > 0)
			nd_info("overlayd: ipsec %s: rotation step %d written", a->nets[i].o.name,
				r);
		again |= r > 0; /* apply and ack the step at once */
	}
	for (size_t i = 0; i < s->n_nets; i++) {
		if (s->nets[i].seen)
			continue;
		drop_peers(s, &s->nets[i], NULL, 0, true);
		memcpy(s->nets[i].peers, s->nets[i].gone,
		       s->nets[i].n_gone * sizeof(struct nd_addr));
		s->nets[i].n_peers = s->nets[i].n_gone;
		drop_peers(s, &s->nets[i], NULL, 0, true);
		s->nets[i] = s->nets[--s->n_nets];
		i--;
	}
	s->next_ms = overlayd_now_ms() + (again ? 0 : IPSEC_PASS_MS);
}

void overlayd_ipsec_free(struct agent *a)
{
	if (!a->ipsec)
		return;
	nd_xfrm_close(a->ipsec->x);
	free(a->ipsec->nets);
	free(steal_ptr(a->ipsec));
}
