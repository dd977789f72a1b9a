// SPDX-License-Identifier: MIT
/*
 * Encrypted networks in netdock-overlayd: for every local overlay network
 * whose record says "encrypted", the key ring from etcd brought into the
 * kernel for each host that has endpoints on it (nd_ipsec_reconcile: one
 * dump of the kernel's SAs and policies, only the difference sent), acked,
 * and the rotation advanced (common/ipsec.h, common/ipsec-store.h). What
 * calls for a pass is in ipsec-sched.c.
 */
#include "overlayd-ipsec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ipsec-store.h"
#include "log.h"

struct ipsec_net *overlayd_ipsec_state(struct overlayd_ipsec *s, const char *name, bool add)
{
	struct ipsec_net *v;

	for (size_t i = 0; i < s->n_nets; i++)
		if (!strcmp(s->nets[i].name, name))
			return &s->nets[i];
	if (!add || !(v = realloc(s->nets, (s->n_nets + 1) * sizeof(*v))))
		return NULL;
	s->nets = v;
	v = &s->nets[s->n_nets++];
	*v = (struct ipsec_net){ .apply = true, .advance = true };
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

/* The VTEPs of the other hosts with endpoints on the network. */
size_t overlayd_ipsec_peers(const struct agent *a, const struct local_net *l, struct nd_addr *ret)
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

/* One network's slot in the pass: its ring read when it is due, else left out (kept as is). */
struct slot {
	const struct local_net *l;
	struct ipsec_net *st;
	struct nd_ipsec_ring ring;
	bool loaded;
};

static void ring_due(struct overlayd_ipsec *s, struct ipsec_net *st,
		     const struct nd_ipsec_ring *ring)
{
	const struct nd_ipsec_key *p = nd_ipsec_ring_find(ring, ring->primary);
	int64_t left = -1;

	/* A rotation under way moves on with acks (watch events), not with time. */
	if (p && ring->n == 1)
		left = p->created > INT32_MAX ?
			       INT32_MAX :
			       (int64_t)p->created + (int64_t)s->interval - time(NULL);
	/* A second late: the ring's test is "at least interval seconds old". */
	st->due_ms = left < 0 ? 0 : overlayd_now_ms() + (uint64_t)left * 1000 + 1000;
}

static void load(struct agent *a, struct overlayd_ipsec *s, struct slot *sl)
{
	int r = nd_ipsec_store_ensure(a->e, sl->l->o.name, (uint64_t)time(NULL), &sl->ring);

	if (r < 0) {
		/* etcd away, or a ring that does not parse: the kernel keeps what it has. */
		nd_warn("overlayd: ipsec %s: key ring: %s", sl->l->o.name, strerror(-r));
		sl->st->apply = true;
		sl->st->retry_ms = overlayd_now_ms() + IPSEC_RETRY_MS;
		return;
	}
	sl->loaded = true;
	ring_due(s, sl->st, &sl->ring);
}

/*
 * Whom the send SAs served before this pass. At a network's first pass in
 * this run, an ack of this host still in etcd (a past run's lease not yet
 * run out) says the peers have receive SAs expecting our sequence: all of
 * today's peers count, as which of them were there is not known.
 */
static void sent_before(struct agent *a, struct slot *sl, struct nd_ipsec_target *t)
{
	struct ipsec_net *st = sl->st;
	uint32_t newest;

	if (!st->prior_read && !st->n_sent) {
		st->prior_read = true;
		if (nd_ipsec_store_acked(a->e, sl->l->o.name, a->host, &newest) >= 0) {
			memcpy(st->sent, t->peers, t->n_peers * sizeof(*t->peers));
			st->n_sent = t->n_peers;
			st->sent_newest = newest;
		}
	}
	t->sent_to = st->sent;
	t->n_sent_to = st->n_sent;
	t->sent_newest = st->sent_newest;
}

/* The kernel lost our send SAs under our peers' receive SAs: a new key mends it. */
static void send_restarted(struct agent *a, const struct slot *sl)
{
	int r = nd_ipsec_store_request(a->e, sl->l->o.name);

	nd_warn("overlayd: ipsec %s: this host's send SAs were gone from the kernel and are new "
		"(their sequence starts over, which the peers' replay windows refuse): %s",
		sl->l->o.name, r < 0 ? strerror(-r) : "rotation asked for");
}

/* After the kernel has the ring: the ack (when it changed), and the next step if one is due. */
static void finish(struct agent *a, struct overlayd_ipsec *s, struct slot *sl,
		   const struct nd_ipsec_target *t)
{
	struct ipsec_net *st = sl->st;
	char state[ND_IPSEC_STATE_LEN];
	int r = t->err;

	if (sl->loaded && r >= 0) {
		memcpy(st->sent, t->peers, t->n_peers * sizeof(*t->peers));
		st->n_sent = t->n_peers;
		st->sent_newest = nd_ipsec_ring_newest(&sl->ring);
		if (t->send_restarted)
			send_restarted(a, sl);
		nd_ipsec_ring_state(&sl->ring, state);
		if (strcmp(state, st->acked))
			r = nd_ipsec_store_ack(a->e, sl->l->o.name, a->host, &sl->ring, a->lease);
		if (r >= 0)
			snprintf(st->acked, sizeof(st->acked), "%s", state);
		st->apply = r < 0;
	}
	if (r >= 0 && st->advance) {
		r = nd_ipsec_store_advance(a->e, sl->l->o.name, (uint64_t)time(NULL), s->interval);
		if (r > 0)
			nd_info("overlayd: ipsec %s: rotation step %d written", sl->l->o.name, r);
		st->advance = r < 0;
	}
	if (r < 0) {
		nd_warn("overlayd: ipsec %s: %s", sl->l->o.name, nd_xfrm_reason(s->x, r));
		st->apply |= sl->loaded; /* the kernel or the ack: a pass again */
		st->retry_ms = overlayd_now_ms() + IPSEC_RETRY_MS;
	}
}

static void tally_log(const struct nd_ipsec_tally *t, int r, bool always)
{
	const struct nd_ipsec_count *sa = &t->sa, *p = &t->policy;

	if (!always && !sa->added && !sa->updated && !sa->removed && !p->added && !p->updated &&
	    !p->removed && r >= 0)
		return;
	nd_info("overlayd: ipsec %s: SAs %u kept, %u added, %u replaced, %u removed; policies %u "
		"kept, %u added, %u updated, %u removed%s%s",
		always ? "reconciled" : "changed", sa->kept, sa->added, sa->updated, sa->removed,
		p->kept, p->added, p->updated, p->removed,
		t->skipped ? "; dump messages skipped" : "",
		r < 0 ? "; some refused (logged)" : "");
}

/*
 * One pass over every local encrypted network: those due (or all, when
 * full) have their ring read; one reconcile; then acks and rotation steps.
 * Its counts are logged when told (a reconcile), else only when it changed something.
 */
void overlayd_ipsec_pass(struct agent *a, struct overlayd_ipsec *s, bool full, bool log)
{
	_cleanup_(freep) struct slot *sl = calloc(a->n_nets ? a->n_nets : 1, sizeof(*sl));
	_cleanup_(freep) struct nd_ipsec_target *t = calloc(a->n_nets ? a->n_nets : 1, sizeof(*t));
	_cleanup_(freep) struct nd_addr *peers =
		calloc(a->n_nets * IPSEC_PEERS_MAX + 1, sizeof(*peers));
	struct nd_ipsec_tally tally;
	size_t n = 0;
	bool any = full;
	int r;

	if (!sl || !t || !peers)
		return;
	/* Every state first: adding one may move the others. */
	for (size_t i = 0; i < a->n_nets; i++)
		if (a->nets[i].o.encrypted)
			overlayd_ipsec_state(s, a->nets[i].o.name, true);
	for (size_t i = 0; i < a->n_nets; i++) {
		const struct local_net *l = &a->nets[i];
		struct ipsec_net *st = l->o.encrypted ? overlayd_ipsec_state(s, l->o.name, false) :
							NULL;

		if (!st)
			continue;
		sl[n] = (struct slot){ .l = l, .st = st };
		t[n] = (struct nd_ipsec_target){
			.n = { .vni = l->o.vni, .port = (uint16_t)l->o.port, .local = l->o.vtep },
			.peers = peers + n * IPSEC_PEERS_MAX
		};
		t[n].n_peers = overlayd_ipsec_peers(a, l, peers + n * IPSEC_PEERS_MAX);
		if (full || (st->apply && overlayd_now_ms() >= st->retry_ms))
			load(a, s, &sl[n]);
		if (sl[n].loaded) {
			t[n].ring = &sl[n].ring;
			overlayd_ipsec_peers_keep(st, t[n].peers, t[n].n_peers);
			sent_before(a, &sl[n], &t[n]);
			any = true;
		}
		n++;
	}
	r = any ? nd_ipsec_reconcile(s->x, t, n, &tally) : 0;
	if (any)
		tally_log(&tally, r, log);
	for (size_t i = 0; i < n; i++) {
		const struct ipsec_net *st = sl[i].st;

		/* A ring that is due but was not read (etcd refused it): retried as a whole. */
		if (sl[i].loaded ||
		    (st->advance && !st->apply && overlayd_now_ms() >= st->retry_ms))
			finish(a, s, &sl[i], &t[i]);
		nd_ipsec_ring_wipe(&sl[i].ring);
	}
}
