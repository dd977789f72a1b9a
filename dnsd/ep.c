// SPDX-License-Identifier: MIT
/*
 * An endpoint as dnsd keeps it: one allocation holding only what queries
 * need (names, aliases, links, addresses, netns, file), packed. The parsed
 * record has fixed arrays for every field (about 1.8 KB); 10,000 endpoints
 * kept that way were 25 MB, this is about 150 bytes each.
 */
#include "dnsd.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Room the strings of one record take, NULs included. */
static size_t strings_len(const struct nd_endpoint_record *r, const char *file, bool lower)
{
	size_t n = strlen(r->container_id) + strlen(r->name) + strlen(r->netns) + strlen(file) +
		   strlen(r->namespace) + 5;

	if (!lower)
		n += strlen(r->name) + 1;
	for (size_t i = 0; i < r->aliases.n; i++)
		n += strlen(r->aliases.v[i]) + 1;
	for (size_t i = 0; i < r->links.n; i++)
		n += strlen(r->links.v[i]) + 1;
	return n;
}

static bool is_lower(const char *s)
{
	for (; *s; s++)
		if (tolower((unsigned char)*s) != *s)
			return false;
	return true;
}

static const char *put_str(char **p, const char *s)
{
	size_t n = strlen(s) + 1;
	char *out = *p;

	memcpy(out, s, n);
	*p += n;
	return out;
}

int dnsd_ep_new(const struct nd_endpoint_record *r, const char *file, size_t net,
		struct dnsd_ep **ret)
{
	bool lower = is_lower(r->name);
	size_t n_ptrs = r->aliases.n + r->links.n;
	size_t size = sizeof(struct dnsd_ep) + r->n_ips * sizeof(struct nd_addr) +
		      n_ptrs * sizeof(char *) + strings_len(r, file, lower);
	struct dnsd_ep *ep;
	const char **ptrs;
	char *p;

	if (r->n_ips > UINT8_MAX || r->aliases.n > UINT16_MAX || r->links.n > UINT16_MAX)
		return -E2BIG;
	ep = malloc(size);
	if (!ep)
		return -ENOMEM;
	*ep = (struct dnsd_ep){ .net = (uint32_t)net,
				.remote = r->host[0] != '\0',
				.n_ips = (uint8_t)r->n_ips,
				.n_aliases = (uint16_t)r->aliases.n,
				.n_links = (uint16_t)r->links.n };
	/* Pointers first (8-aligned after the struct), then addresses, then strings. */
	ptrs = (const char **)(ep + 1);
	ep->aliases = ptrs;
	ep->links = ptrs + r->aliases.n;
	ep->ips = (struct nd_addr *)(ptrs + n_ptrs);
	for (size_t i = 0; i < r->n_ips; i++)
		ep->ips[i] = r->ips[i].addr;
	p = (char *)(ep->ips + r->n_ips);
	ep->container_id = put_str(&p, r->container_id);
	ep->name = put_str(&p, r->name);
	ep->netns = put_str(&p, r->netns);
	ep->file = put_str(&p, file);
	ep->namespace = put_str(&p, r->namespace);
	ep->lname = lower ? ep->name : put_str(&p, r->name);
	for (char *l = (char *)ep->lname; !lower && *l; l++)
		*l = (char)tolower((unsigned char)*l);
	for (size_t i = 0; i < r->aliases.n; i++)
		ptrs[i] = put_str(&p, r->aliases.v[i]);
	for (size_t i = 0; i < r->links.n; i++)
		ptrs[r->aliases.n + i] = put_str(&p, r->links.v[i]);
	*ret = ep;
	return 0;
}
