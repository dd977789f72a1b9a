// SPDX-License-Identifier: MIT
/* One host's kernel state for an encrypted network: the outbound policy, and two SAs per key and peer. */
#include "ipsec.h"

#include <errno.h>
#include <string.h>

static struct nd_xfrm_policy policy_of(const struct nd_ipsec_net *n, uint32_t key_id)
{
	return (struct nd_xfrm_policy){ .family = n->local.family,
					.mark = nd_ipsec_mark(n->vni),
					.dport = n->port,
					/* No key: a reqid no SA carries, so packets drop. */
					.reqid = key_id ? nd_ipsec_reqid(n->vni, key_id) :
							  nd_ipsec_reqid_none(n->vni) };
}

int nd_ipsec_policy_apply(struct nd_xfrm *x, const struct nd_ipsec_net *n, uint32_t key_id)
{
	struct nd_xfrm_policy p = policy_of(n, key_id);

	return nd_xfrm_policy_set(x, &p);
}

int nd_ipsec_policy_ensure(struct nd_xfrm *x, const struct nd_ipsec_net *n)
{
	struct nd_xfrm_policy p = policy_of(n, 0);
	int r = nd_xfrm_policy_add(x, &p);

	return r == -EEXIST ? 0 : r;
}

int nd_ipsec_policy_exists(struct nd_xfrm *x, const struct nd_ipsec_net *n)
{
	struct nd_xfrm_policy p = policy_of(n, 0);

	return nd_xfrm_policy_get(x, &p);
}

int nd_ipsec_policy_remove(struct nd_xfrm *x, const struct nd_ipsec_net *n)
{
	struct nd_xfrm_policy p = policy_of(n, 0);
	int r = nd_xfrm_policy_del(x, &p);

	return r == -ENOENT ? 0 : r;
}

/* One direction of a key: src -> dst. */
static int sa_add(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *src,
		  const struct nd_addr *dst, const struct nd_ipsec_key *k)
{
	uint8_t key[ND_XFRM_KEY_LEN];
	struct nd_xfrm_sa sa = { .src = *src,
				 .dst = *dst,
				 .spi = nd_ipsec_spi(src, dst, n->vni, k->id),
				 .reqid = nd_ipsec_reqid(n->vni, k->id),
				 .key = key };
	int r;

	nd_ipsec_derive(k, src, dst, n->vni, key);
	r = nd_xfrm_sa_add(x, &sa);
	explicit_bzero(key, sizeof(key));
	return r == -EEXIST ? 0 : r;
}

/* Receiving first: a peer may send with the key as soon as its own SA exists. */
int nd_ipsec_peer_add(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		      const struct nd_ipsec_key *k)
{
	int r = sa_add(x, n, peer, &n->local, k);

	return r < 0 ? r : sa_add(x, n, &n->local, peer, k);
}

int nd_ipsec_rx_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		    uint32_t key_id)
{
	int r = nd_xfrm_sa_del(x, &n->local, nd_ipsec_spi(peer, &n->local, n->vni, key_id));

	return r == -ESRCH ? 0 : r;
}

int nd_ipsec_tx_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		    uint32_t key_id)
{
	int r = nd_xfrm_sa_del(x, peer, nd_ipsec_spi(&n->local, peer, n->vni, key_id));

	return r == -ESRCH ? 0 : r;
}

int nd_ipsec_peer_del(struct nd_xfrm *x, const struct nd_ipsec_net *n, const struct nd_addr *peer,
		      uint32_t key_id)
{
	int r = nd_ipsec_tx_del(x, n, peer, key_id);

	return r < 0 ? r : nd_ipsec_rx_del(x, n, peer, key_id);
}

/*
 * Brings one host to what the ring says, for the given peers: SAs of every
 * key of the ring (receive side first), the policy on the primary, and the
 * SAs of the two ids before the ring's oldest (the ones a rotation retired)
 * removed. Idempotent: an agent runs it at start and after every change.
 */
int nd_ipsec_apply(struct nd_xfrm *x, const struct nd_ipsec_net *n,
		   const struct nd_ipsec_ring *ring, const struct nd_addr *peers, size_t n_peers)
{
	uint32_t oldest = UINT32_MAX;
	int r = 0;

	for (size_t k = 0; k < ring->n; k++) {
		if (ring->keys[k].id < oldest)
			oldest = ring->keys[k].id;
		for (size_t p = 0; r >= 0 && p < n_peers; p++)
			r = nd_ipsec_peer_add(x, n, &peers[p], &ring->keys[k]);
	}
	if (r >= 0)
		r = nd_ipsec_policy_apply(x, n, ring->primary);
	for (uint32_t id = oldest > 2 ? oldest - 2 : 1; r >= 0 && ring->n && id < oldest; id++)
		for (size_t p = 0; r >= 0 && p < n_peers; p++)
			r = nd_ipsec_peer_del(x, n, &peers[p], id);
	return r;
}
