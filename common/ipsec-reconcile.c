// SPDX-License-Identifier: MIT
/*
 * Encrypted networks' kernel state brought to what the key rings say, from
 * one dump of the kernel's SAs and one of its policies: only the difference
 * is sent (nd_ipsec_reconcile in ipsec.h says what is kept and what goes).
 */
#include "ipsec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/xfrm.h>

#include "cleanup.h"
#include "ipsec-nft.h"
#include "log.h"

/* An SA a target needs, its key derived (wiped at the end). */
struct want {
	struct nd_xfrm_sa sa;
	uint8_t key[ND_XFRM_KEY_LEN];
	size_t target;
	uint32_t key_id;
	bool rx, present, replace;
};

/* An SA or policy of netdock's that goes; target is n_t when no target names its VNI. */
struct gone_sa {
	struct nd_addr dst;
	uint32_t spi;
	unsigned vni;
	size_t target;
};

enum { POLICY_MISSING, POLICY_OK, POLICY_WRONG };

struct recon {
	struct nd_ipsec_target *t;
	size_t n_t;
	struct want *want;
	size_t n_want, *first; /* first[i]..first[i + 1]: target i's wants */
	struct gone_sa *gone;
	size_t n_gone, cap_gone;
	struct nd_xfrm_policy *pgone;
	size_t n_pgone, cap_pgone;
	int *policy; /* per target: POLICY_* */
	int *failed; /* per target: the first refusal of an add or of its policy; its old state stays */
	struct nd_ipsec_tally *tally;
	int err;
};

static void recon_free(struct recon *c)
{
	if (c->want)
		explicit_bzero(c->want, c->n_want * sizeof(*c->want));
	free(c->want);
	free(c->first);
	free(c->gone);
	free(c->pgone);
	free(c->policy);
	free(c->failed);
}

/* Room for one more item in *pv (n used of *cap). */
static int grow(void *pv, size_t n, size_t *cap, size_t size)
{
	void **p = pv;
	void *v;

	if (n < *cap)
		return 0;
	v = realloc(*p, (*cap ? *cap * 2 : 16) * size);
	if (!v)
		return -ENOMEM;
	*p = v;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

static void want_put(struct recon *c, size_t t, const struct nd_addr *src,
		     const struct nd_addr *dst, const struct nd_ipsec_key *k, bool rx)
{
	const struct nd_ipsec_net *n = &c->t[t].n;
	struct want *w = &c->want[c->n_want++];

	*w = (struct want){ .sa = { .src = *src,
				    .dst = *dst,
				    .spi = nd_ipsec_spi(src, dst, n->vni, k->id),
				    .reqid = nd_ipsec_reqid(n->vni, k->id) },
			    .target = t,
			    .key_id = k->id,
			    .rx = rx };
	nd_ipsec_derive(k, src, dst, n->vni, w->key);
	w->sa.key = w->key;
}

/* Every target's SAs: both directions of every key with every peer. */
static int wants_build(struct recon *c)
{
	size_t total = 0;

	for (size_t i = 0; i < c->n_t; i++)
		if (c->t[i].ring)
			total += 2 * c->t[i].ring->n * c->t[i].n_peers;
	c->want = calloc(total ? total : 1, sizeof(*c->want));
	c->first = calloc(c->n_t + 1, sizeof(*c->first));
	c->policy = calloc(c->n_t ? c->n_t : 1, sizeof(*c->policy));
	c->failed = calloc(c->n_t ? c->n_t : 1, sizeof(*c->failed));
	if (!c->want || !c->first || !c->policy || !c->failed)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_t; i++) {
		const struct nd_ipsec_target *t = &c->t[i];

		c->first[i] = c->n_want;
		for (size_t k = 0; t->ring && k < t->ring->n; k++)
			for (size_t p = 0; p < t->n_peers; p++) {
				want_put(c, i, &t->peers[p], &t->n.local, &t->ring->keys[k], true);
				want_put(c, i, &t->n.local, &t->peers[p], &t->ring->keys[k], false);
			}
	}
	c->first[c->n_t] = c->n_want;
	return 0;
}

static size_t target_of(const struct recon *c, unsigned vni)
{
	size_t i;

	for (i = 0; i < c->n_t; i++)
		if (c->t[i].n.vni == vni)
			break;
	return i;
}

static bool addr_in(const struct nd_addr *list, size_t n, const struct nd_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (nd_addr_equal(&list[i], a))
			return true;
	return false;
}

static bool is_peer(const struct nd_ipsec_target *t, const struct nd_addr *a)
{
	return addr_in(t->peers, t->n_peers, a);
}

/* A send SA added where this host had sent with that key before. */
static bool sent_before(const struct nd_ipsec_target *t, const struct want *w)
{
	return !w->rx && w->key_id <= t->sent_newest &&
	       addr_in(t->sent_to, t->n_sent_to, &w->sa.dst);
}

static bool same_sa(const struct nd_xfrm_sa *a, const struct nd_xfrm_sa *b)
{
	return a->spi == b->spi && a->reqid == b->reqid && nd_addr_equal(&a->dst, &b->dst) &&
	       nd_addr_equal(&a->src, &b->src);
}

/* Our send SA to a host that is no peer any more, exactly as a key of the ring makes it. */
static bool tx_of_ring(const struct nd_ipsec_target *t, const struct nd_xfrm_sa_info *s)
{
	const struct nd_ipsec_net *n = &t->n;
	uint8_t key[ND_XFRM_KEY_LEN];
	bool ok = false;

	if (!s->sa.key || !nd_addr_equal(&s->sa.src, &n->local) || is_peer(t, &s->sa.dst))
		return false;
	for (size_t k = 0; !ok && k < t->ring->n; k++) {
		const struct nd_ipsec_key *rk = &t->ring->keys[k];

		if (s->sa.reqid != nd_ipsec_reqid(n->vni, rk->id) ||
		    s->sa.spi != nd_ipsec_spi(&n->local, &s->sa.dst, n->vni, rk->id))
			continue;
		nd_ipsec_derive(rk, &n->local, &s->sa.dst, n->vni, key);
		ok = !memcmp(key, s->sa.key, sizeof(key));
	}
	explicit_bzero(key, sizeof(key));
	return ok;
}

/* One SA of the dump: kept, or listed to go (an SA a want replaces goes in the add phase). */
static int sa_seen(void *data, const struct nd_xfrm_sa_info *s)
{
	struct recon *c = data;
	unsigned vni;
	size_t t;

	if (s->proto != IPPROTO_ESP || s->marked || !nd_ipsec_reqid_vni(s->sa.reqid, &vni))
		return 0; /* not netdock's */
	t = target_of(c, vni);
	if (t < c->n_t && !c->t[t].ring) {
		c->tally->sa.kept++; /* its ring was not read: left as it is */
		return 0;
	}
	for (size_t i = t < c->n_t ? c->first[t] : 0; t < c->n_t && i < c->first[t + 1]; i++) {
		struct want *w = &c->want[i];

		if (w->sa.spi != s->sa.spi || !nd_addr_equal(&w->sa.dst, &s->sa.dst))
			continue;
		if (same_sa(&w->sa, &s->sa) && s->mode == XFRM_MODE_TRANSPORT && s->sa.key &&
		    !memcmp(s->sa.key, w->key, sizeof(w->key))) {
			w->present = true;
			c->tally->sa.kept++;
		} else {
			w->replace = true; /* same SA id, other key: a ring made anew */
		}
		return 0;
	}
	if (t < c->n_t && s->mode == XFRM_MODE_TRANSPORT && tx_of_ring(&c->t[t], s)) {
		c->tally->sa.kept++;
		return 0;
	}
	if (grow(&c->gone, c->n_gone, &c->cap_gone, sizeof(*c->gone)) < 0)
		return -ENOMEM;
	c->gone[c->n_gone++] =
		(struct gone_sa){ .dst = s->sa.dst, .spi = s->sa.spi, .vni = vni, .target = t };
	return 0;
}

static uint32_t policy_reqid(const struct nd_ipsec_target *t)
{
	return t->ring->primary ? nd_ipsec_reqid(t->n.vni, t->ring->primary) :
				  nd_ipsec_reqid_none(t->n.vni);
}

static int policy_seen(void *data, const struct nd_xfrm_policy_info *p)
{
	struct recon *c = data;
	unsigned vni;

	if (p->dir != XFRM_POLICY_OUT || !p->port_selector || p->mark_mask != 0xffffffffu ||
	    !nd_ipsec_mark_vni(p->p.mark, &vni))
		return 0;
	for (size_t i = 0; i < c->n_t; i++) {
		const struct nd_ipsec_target *t = &c->t[i];

		if (t->n.vni != vni || t->n.local.family != p->p.family || t->n.port != p->p.dport)
			continue;
		if (!t->ring)
			c->tally->policy.kept++;
		else
			c->policy[i] = p->p.reqid == policy_reqid(t) ? POLICY_OK : POLICY_WRONG;
		return 0;
	}
	if (grow(&c->pgone, c->n_pgone, &c->cap_pgone, sizeof(*c->pgone)) < 0)
		return -ENOMEM;
	c->pgone[c->n_pgone++] = p->p;
	return 0;
}

/* A refused request, logged with the kernel's words (never a key); returns r. */
static int note(struct recon *c, struct nd_xfrm *x, int r, const char *what, unsigned vni,
		const struct nd_addr *dst, uint32_t spi)
{
	char s[ND_ADDR_STRLEN];

	if (r >= 0)
		return 0;
	if (dst)
		nd_warn("ipsec: VNI %u: %s the SA to %s SPI 0x%08x: %s", vni, what,
			nd_addr_to_str(dst, s), spi, nd_xfrm_reason(x, r));
	else
		nd_warn("ipsec: VNI %u: %s the policy: %s", vni, what, nd_xfrm_reason(x, r));
	c->tally->failed++;
	if (!c->err)
		c->err = r;
	return r;
}

/* Missing SAs of one direction; an SA whose id another key holds goes first. */
static void sas_add(struct recon *c, struct nd_xfrm *x, bool rx)
{
	for (size_t i = 0; i < c->n_want; i++) {
		struct want *w = &c->want[i];
		int r = 0;

		if (w->present || w->rx != rx || c->failed[w->target])
			continue;
		if (w->replace)
			r = nd_xfrm_sa_del(x, &w->sa.dst, w->sa.spi);
		if (r >= 0 || r == -ESRCH)
			r = nd_xfrm_sa_add(x, &w->sa);
		if (r == -EEXIST) /* in the kernel, but not in the dump as netdock's */
			r = 0;
		else if (r >= 0)
			(w->replace ? &c->tally->sa.updated : &c->tally->sa.added)[0]++;
		if (r >= 0 && !w->replace && sent_before(&c->t[w->target], w))
			c->t[w->target].send_restarted = true;
		if (note(c, x, r, "adding", c->t[w->target].n.vni, &w->sa.dst, w->sa.spi) < 0)
			c->failed[w->target] = r;
	}
}

static void policies_set(struct recon *c, struct nd_xfrm *x)
{
	for (size_t i = 0; i < c->n_t; i++) {
		const struct nd_ipsec_target *t = &c->t[i];
		struct nd_xfrm_policy p = { .family = t->n.local.family,
					    .mark = nd_ipsec_mark(t->n.vni),
					    .dport = t->n.port };
		int r;

		if (!t->ring || c->policy[i] == POLICY_OK || c->failed[i]) {
			c->tally->policy.kept += t->ring && c->policy[i] == POLICY_OK;
			continue;
		}
		p.reqid = policy_reqid(t);
		r = nd_xfrm_policy_set(x, &p);
		if (note(c, x, r, "setting", t->n.vni, NULL, 0) < 0)
			c->failed[i] = r;
		else
			(c->policy[i] == POLICY_WRONG ? &c->tally->policy.updated :
							&c->tally->policy.added)[0]++;
	}
}

static void sas_del(struct recon *c, struct nd_xfrm *x)
{
	for (size_t i = 0; i < c->n_gone; i++) {
		const struct gone_sa *g = &c->gone[i];
		int r;

		if (g->target < c->n_t && c->failed[g->target]) {
			c->tally->sa.kept++;
			continue;
		}
		r = nd_xfrm_sa_del(x, &g->dst, g->spi);
		if (r >= 0)
			c->tally->sa.removed++;
		note(c, x, r == -ESRCH ? 0 : r, "removing", g->vni, &g->dst, g->spi);
	}
}

/* A policy no target names: removed only when no nftables element marks its packets. */
static void policies_del(struct recon *c, struct nd_xfrm *x)
{
	for (size_t i = 0; i < c->n_pgone; i++) {
		const struct nd_xfrm_policy *p = &c->pgone[i];
		unsigned vni = p->mark & 0xffffffu;
		int r;

		if (nd_ipsec_nft_exists(p->dport, vni) != 0) {
			c->tally->policy.kept++; /* marked (or unknown): in use, or about to be */
			continue;
		}
		r = nd_xfrm_policy_del(x, p);
		if (r >= 0)
			c->tally->policy.removed++;
		note(c, x, r == -ENOENT ? 0 : r, "removing", vni, NULL, 0);
	}
}

int nd_ipsec_reconcile(struct nd_xfrm *x, struct nd_ipsec_target *t, size_t n_t,
		       struct nd_ipsec_tally *ret)
{
	_cleanup_(recon_free) struct recon c = { .t = t, .n_t = n_t, .tally = ret };
	struct nd_xfrm_dump d = { .sa = sa_seen, .policy = policy_seen, .data = &c };
	int r;

	*ret = (struct nd_ipsec_tally){ 0 };
	r = wants_build(&c);
	if (r >= 0)
		r = nd_xfrm_sa_dump(x, &d);
	ret->skipped = d.skipped;
	if (r >= 0)
		r = nd_xfrm_policy_dump(x, &d);
	ret->skipped += d.skipped;
	for (size_t i = 0; i < n_t; i++) {
		t[i].send_restarted = false;
		if (r < 0)
			t[i].err = r;
	}
	if (r < 0)
		return r; /* nothing sent: a partial picture must not remove anything */
	sas_add(&c, x, true);
	sas_add(&c, x, false);
	policies_set(&c, x);
	sas_del(&c, x);
	policies_del(&c, x);
	for (size_t i = 0; i < n_t; i++)
		t[i].err = c.failed[i];
	return c.err;
}
