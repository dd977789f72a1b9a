// SPDX-License-Identifier: MIT
/*
 * One hash multimap over every endpoint, rebuilt when a record changes and
 * never per query: names, aliases and addresses per network, container ids
 * and netns paths across them. A lookup hashes the key and walks one chain.
 * An item is 24 bytes: its key is read back from the endpoint it points to.
 */
#include "dnsd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum ix_kind { IX_NAME, IX_ALIAS, IX_ADDR, IX_CID, IX_NETNS, IX_DEAD };

/* Keys that hold across networks. */
#define GLOBAL(kind) ((kind) == IX_CID || (kind) == IX_NETNS)

struct ix_item {
	uint32_t hash;
	uint32_t next; /* chain, UINT32_MAX ends it */
	const struct dnsd_ep *ep;
	uint32_t net;
	uint16_t sub; /* which alias or address of ep */
	uint8_t kind;
};

struct dnsd_index {
	struct ix_item *items;
	size_t n, cap;
	size_t dead; /* items of removed endpoints, skipped until the next full build */
	uint32_t *buckets;
	size_t mask;
};

static uint32_t mix(uint32_t h, uint8_t b)
{
	return (h ^ b) * 0x01000193u;
}

static uint32_t hash_key(uint8_t kind, uint32_t net, const char *str, const struct nd_addr *a)
{
	uint32_t h = mix(0x811c9dc5u, kind);

	for (int i = 0; i < 4; i++)
		h = mix(h, (uint8_t)(net >> (i * 8)));
	for (const char *s = str; s && *s; s++)
		h = mix(h, (uint8_t)tolower((unsigned char)*s));
	for (size_t i = 0; a && i < nd_addr_len(a); i++)
		h = mix(h, a->bytes[i]);
	return h;
}

static const char *item_str(const struct ix_item *it)
{
	switch (it->kind) {
	case IX_NAME:
		return it->ep->name;
	case IX_ALIAS:
		return it->ep->aliases[it->sub];
	case IX_CID:
		return it->ep->container_id;
	case IX_NETNS:
		return it->ep->netns;
	default:
		return NULL;
	}
}

static bool same_key(const struct ix_item *it, uint8_t kind, uint32_t net, const char *str,
		     const struct nd_addr *a)
{
	if (it->kind != kind || (!GLOBAL(kind) && it->net != net))
		return false;
	if (str)
		return !strcasecmp(item_str(it), str);
	return nd_addr_equal(&it->ep->ips[it->sub], a);
}

static void lookup(const struct dnsd_index *ix, uint8_t kind, size_t net, const char *str,
		   const struct nd_addr *a, dnsd_ep_fn fn, void *data)
{
	uint32_t h, n = GLOBAL(kind) ? 0 : (uint32_t)net;

	if (!ix || !ix->n)
		return;
	h = hash_key(kind, n, str, a);
	for (uint32_t i = ix->buckets[h & ix->mask]; i != UINT32_MAX; i = ix->items[i].next)
		if (ix->items[i].hash == h && same_key(&ix->items[i], kind, n, str, a))
			fn(data, ix->items[i].ep);
}

static void first_ep(void *data, const struct dnsd_ep *ep)
{
	const struct dnsd_ep **out = data;

	if (!*out)
		*out = ep;
}

const struct dnsd_ep *dnsd_index_by_addr(const struct dnsd_index *ix, size_t net,
					 const struct nd_addr *a)
{
	const struct dnsd_ep *ep = NULL;

	lookup(ix, IX_ADDR, net, NULL, a, first_ep, &ep);
	return ep;
}

void dnsd_index_addr_each(const struct dnsd_index *ix, size_t net, const struct nd_addr *a,
			  dnsd_ep_fn fn, void *data)
{
	lookup(ix, IX_ADDR, net, NULL, a, fn, data);
}

void dnsd_index_name_each(const struct dnsd_index *ix, size_t net, const char *lname, dnsd_ep_fn fn,
			  void *data)
{
	lookup(ix, IX_NAME, net, lname, NULL, fn, data);
}

void dnsd_index_alias_each(const struct dnsd_index *ix, size_t net, const char *lname,
			   dnsd_ep_fn fn, void *data)
{
	lookup(ix, IX_ALIAS, net, lname, NULL, fn, data);
}

void dnsd_index_container_each(const struct dnsd_index *ix, const char *cid, dnsd_ep_fn fn,
			       void *data)
{
	lookup(ix, IX_CID, 0, cid, NULL, fn, data);
}

void dnsd_index_netns_each(const struct dnsd_index *ix, const char *path, dnsd_ep_fn fn, void *data)
{
	lookup(ix, IX_NETNS, 0, path, NULL, fn, data);
}

static uint32_t ep_hash(uint8_t kind, const struct dnsd_ep *ep, uint16_t sub)
{
	uint32_t net = GLOBAL(kind) ? 0 : ep->net;

	if (kind == IX_ADDR)
		return hash_key(kind, net, NULL, &ep->ips[sub]);
	return hash_key(kind, net,
			kind == IX_ALIAS ? ep->aliases[sub] :
			kind == IX_NAME	 ? ep->name :
			kind == IX_CID	 ? ep->container_id :
					   ep->netns,
			NULL);
}

static void put(struct dnsd_index *ix, uint8_t kind, const struct dnsd_ep *ep, uint16_t sub)
{
	if (ix->n == ix->cap)
		return;
	ix->items[ix->n++] = (struct ix_item){
		.hash = ep_hash(kind, ep, sub), .ep = ep, .net = ep->net, .sub = sub, .kind = kind
	};
}

static size_t ep_items(const struct dnsd_ep *ep)
{
	return (ep->name[0] ? 1 : 0) + 1 + (ep->netns[0] ? 1 : 0) + ep->n_aliases + ep->n_ips;
}

static size_t items_needed(const struct dnsd_view *v)
{
	size_t n = 0;

	for (size_t i = 0; i < v->n_eps; i++)
		n += ep_items(v->eps[i]);
	return n;
}

static void index_ep(struct dnsd_index *ix, const struct dnsd_ep *ep)
{
	if (ep->name[0])
		put(ix, IX_NAME, ep, 0);
	put(ix, IX_CID, ep, 0);
	if (ep->netns[0])
		put(ix, IX_NETNS, ep, 0);
	for (uint16_t j = 0; j < ep->n_aliases; j++)
		if (ep->aliases[j][0])
			put(ix, IX_ALIAS, ep, j);
	for (uint16_t j = 0; j < ep->n_ips; j++)
		put(ix, IX_ADDR, ep, j);
}

/* Sizes ix for need items, keeping its arrays when they are big enough: no page faults. */
static int index_reserve(struct dnsd_index *ix, size_t need)
{
	size_t nb = 16;

	/* Room for endpoints added one by one before the next full build. */
	need += need / 8 + 64;
	while (nb < need)
		nb <<= 1;
	if (ix->cap < need || ix->cap > 2 * need) {
		struct ix_item *items = realloc(ix->items, need * sizeof(*items));

		if (!items)
			return -ENOMEM;
		ix->items = items;
		ix->cap = need;
	}
	if (ix->mask + 1 != nb || !ix->buckets) {
		uint32_t *b = realloc(ix->buckets, nb * sizeof(*b));

		if (!b)
			return -ENOMEM;
		ix->buckets = b;
		ix->mask = nb - 1;
	}
	memset(ix->buckets, 0xff, (ix->mask + 1) * sizeof(*ix->buckets));
	ix->n = ix->dead = 0;
	return 0;
}

static void link_from(struct dnsd_index *ix, size_t first)
{
	for (size_t i = first; i < ix->n; i++) {
		uint32_t *head = &ix->buckets[ix->items[i].hash & ix->mask];

		ix->items[i].next = *head;
		*head = (uint32_t)i;
	}
}

/* Marks the items of ep found through one key dead. */
static void kill_key(struct dnsd_index *ix, uint8_t kind, const struct dnsd_ep *ep, uint16_t sub)
{
	uint32_t h = ep_hash(kind, ep, sub);

	for (uint32_t i = ix->buckets[h & ix->mask]; i != UINT32_MAX; i = ix->items[i].next)
		if (ix->items[i].ep == ep && ix->items[i].kind != IX_DEAD) {
			ix->items[i].kind = IX_DEAD;
			ix->dead++;
		}
}

void dnsd_index_remove_ep(struct dnsd_index *ix, const struct dnsd_ep *ep)
{
	if (!ix || !ix->n)
		return;
	kill_key(ix, IX_NAME, ep, 0);
	kill_key(ix, IX_CID, ep, 0);
	kill_key(ix, IX_NETNS, ep, 0);
	for (uint16_t j = 0; j < ep->n_aliases; j++)
		kill_key(ix, IX_ALIAS, ep, j);
	for (uint16_t j = 0; j < ep->n_ips; j++)
		kill_key(ix, IX_ADDR, ep, j);
}

int dnsd_index_add_ep(struct dnsd_index *ix, const struct dnsd_ep *ep)
{
	size_t first = ix ? ix->n : 0;

	/* A full build when the room is gone or half the items are dead. */
	if (!ix || ix->n + ep_items(ep) > ix->cap || ix->n + ep_items(ep) > ix->mask + 1 ||
	    ix->dead * 2 > ix->n)
		return -ENOSPC;
	index_ep(ix, ep);
	link_from(ix, first);
	return 0;
}

int dnsd_index_build(struct dnsd_view *v, struct dnsd_index **ret)
{
	struct dnsd_index *ix = *ret ? *ret : calloc(1, sizeof(*ix));
	int r;

	if (!ix)
		return -ENOMEM;
	r = index_reserve(ix, items_needed(v));
	if (r < 0) {
		if (!*ret)
			dnsd_index_free(ix);
		return r;
	}
	for (size_t i = 0; i < v->n_eps; i++)
		index_ep(ix, v->eps[i]);
	link_from(ix, 0);
	*ret = ix;
	return 0;
}

void dnsd_index_free(struct dnsd_index *ix)
{
	if (!ix)
		return;
	free(ix->items);
	free(ix->buckets);
	free(ix);
}
