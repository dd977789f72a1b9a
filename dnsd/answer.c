// SPDX-License-Identifier: MIT
/*
 * What a container may resolve. The querier is the endpoint behind the
 * listener's network and the source address; it sees container names and
 * aliases of the networks its container is on (when names are on there), its
 * own links on the network each was declared on, and nothing else. Anything
 * not ours is forwarded; a stranger's query is refused.
 */
#include "dnsd.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <ldns/ldns.h>

#define MAX_EPS 64
#define MAX_ADDRS 64

struct querier {
	const struct dnsd_ep *eps[MAX_EPS]; /* every endpoint of the querier's container */
	size_t n;
};

struct found {
	const struct dnsd_ep *eps[MAX_ADDRS];
	size_t n;
	const char *namespace; /* the querier's Kubernetes namespace, for bare pod names */
};

static void add_querier_ep(void *data, const struct dnsd_ep *ep)
{
	struct querier *q = data;

	if (q->n < MAX_EPS)
		q->eps[q->n++] = ep;
}

static void add_found(void *data, const struct dnsd_ep *ep)
{
	struct found *f = data;

	for (size_t i = 0; i < f->n; i++)
		if (f->eps[i] == ep)
			return;
	if (f->n < MAX_ADDRS)
		f->eps[f->n++] = ep;
}

/* A pod's bare name answers only its own Kubernetes namespace (record.h). */
static void add_found_in_namespace(void *data, const struct dnsd_ep *ep)
{
	struct found *f = data;

	if (!ep->rec.namespace[0] || !strcmp(ep->rec.namespace, f->namespace))
		add_found(data, ep);
}

static const struct nd_dns_settings *dns_of(const struct dnsd *d, const struct dnsd_ep *ep)
{
	return &d->view.nets[ep->net].rec.dns;
}

/* "--link target:alias" (or just "target") declared on ep's network. */
static void resolve_links(const struct dnsd *d, const struct querier *q, const char *name,
			  struct found *f)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct nd_strv *links = &q->eps[i]->rec.links;

		for (size_t j = 0; j < links->n; j++) {
			char target[CNI_MAX_NAME];
			const char *colon = strchr(links->v[j], ':');
			const char *alias = colon ? colon + 1 : links->v[j];
			size_t tlen = colon ? (size_t)(colon - links->v[j]) : strlen(links->v[j]);

			if (strcasecmp(alias, name) || tlen >= sizeof(target))
				continue;
			memcpy(target, links->v[j], tlen);
			target[tlen] = '\0';
			dnsd_index_name_each(d->view.index, q->eps[i]->net, target, add_found, f);
		}
	}
}

static void resolve_names(const struct dnsd *d, const struct querier *q, const char *name,
			  struct found *f)
{
	for (size_t i = 0; i < q->n; i++) {
		if (!dns_of(d, q->eps[i])->names)
			continue;
		f->namespace = q->eps[i]->rec.namespace;
		dnsd_index_name_each(d->view.index, q->eps[i]->net, name, add_found_in_namespace,
				     f);
		dnsd_index_alias_each(d->view.index, q->eps[i]->net, name, add_found, f);
	}
}

/* The name without one of the querier's network domains; NULL when it has none. */
static const char *strip_domain(const struct dnsd *d, const struct querier *q, const char *qname,
				char *buf, size_t size)
{
	size_t qlen = strlen(qname);

	for (size_t i = 0; i < q->n; i++) {
		const char *dom = dns_of(d, q->eps[i])->domain;
		size_t dlen = strlen(dom);

		if (dlen && qlen > dlen + 1 && qname[qlen - dlen - 1] == '.' &&
		    !strcasecmp(qname + qlen - dlen, dom) && qlen - dlen - 1 < size) {
			memcpy(buf, qname, qlen - dlen - 1);
			buf[qlen - dlen - 1] = '\0';
			return buf;
		}
	}
	return NULL;
}

static void add_addresses(struct dnsd *d, struct dnsd_answer *a, const struct found *f,
			  uint16_t qtype)
{
	uint32_t start = f->n > 1 ? d->rotation++ : 0;

	for (size_t k = 0; k < f->n; k++) {
		const struct dnsd_ep *ep = f->eps[(start + k) % f->n];

		for (size_t j = 0; j < ep->rec.n_ips; j++) {
			int fam = ep->rec.ips[j].addr.family;

			if ((qtype == LDNS_RR_TYPE_A && fam == AF_INET) ||
			    (qtype == LDNS_RR_TYPE_AAAA && fam == AF_INET6) ||
			    qtype == LDNS_RR_TYPE_ANY)
				dnsd_wire_add_addr(a, &ep->rec.ips[j].addr);
		}
	}
}

/* 4.3.2.1.in-addr.arpa / nibbles.ip6.arpa back to an address. */
static bool ptr_addr(const char *qname, struct nd_addr *ret)
{
	size_t len = strlen(qname);
	char buf[64];

	if (len > 13 && !strcmp(qname + len - 13, ".in-addr.arpa")) {
		unsigned b[4];
		char tail;

		if (sscanf(qname, "%u.%u.%u.%u.in-addr.arp%c", &b[3], &b[2], &b[1], &b[0], &tail) !=
			    5 ||
		    b[0] > 255 || b[1] > 255 || b[2] > 255 || b[3] > 255)
			return false;
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
		return nd_addr_parse(buf, ret) == 0;
	}
	if (len == 72 && !strcmp(qname + 63, ".ip6.arpa")) {
		ret->family = AF_INET6;
		for (int i = 0; i < 32; i++) {
			char c = qname[(31 - i) * 2];
			int v = c >= '0' && c <= '9' ? c - '0' :
				c >= 'a' && c <= 'f' ? c - 'a' + 10 :
						       -1;

			if (v < 0 || (i < 31 && qname[(31 - i) * 2 + 1] != '.'))
				return false;
			if (i % 2 == 0)
				ret->bytes[i / 2] = (uint8_t)(v << 4);
			else
				ret->bytes[i / 2] |= (uint8_t)v;
		}
		return true;
	}
	return false;
}

static bool in_querier_subnets(const struct dnsd *d, const struct querier *q,
			       const struct nd_addr *a)
{
	for (size_t i = 0; i < q->n; i++) {
		const struct nd_net_record *n = &d->view.nets[q->eps[i]->net].rec;

		for (size_t j = 0; j < n->n_subnets; j++)
			if (nd_prefix_contains(&n->subnets[j].subnet, a))
				return true;
	}
	return false;
}

/* PTR: only for addresses on the querier's networks with names on. */
static int answer_ptr(struct dnsd *d, const struct querier *q, const struct nd_addr *addr,
		      struct dnsd_answer *a)
{
	struct found f = { .n = 0 };

	dnsd_index_addr_each(d->view.index, addr, add_found, &f);
	for (size_t i = 0; i < f.n; i++)
		for (size_t j = 0; j < q->n; j++)
			if (f.eps[i]->net == q->eps[j]->net && dns_of(d, f.eps[i])->names &&
			    f.eps[i]->rec.name[0]) {
				dnsd_wire_add_ptr(a, f.eps[i]->rec.name,
						  dns_of(d, f.eps[i])->domain);
				return DNSD_RCODE_OK;
			}
	return in_querier_subnets(d, q, addr) ? DNSD_RCODE_NXDOMAIN : -1;
}

static int answer_name(struct dnsd *d, const struct querier *q, const struct dnsd_query *qq,
		       struct dnsd_answer *a)
{
	char bare[256];
	const char *stripped = strip_domain(d, q, qq->qname, bare, sizeof(bare));
	const char *names[2] = { qq->qname, stripped };
	struct found f = { .n = 0 };

	for (int i = 0; i < 2 && !f.n; i++) {
		if (!names[i])
			continue;
		resolve_links(d, q, names[i], &f);
		if (!f.n)
			resolve_names(d, q, names[i], &f);
	}
	if (f.n) {
		add_addresses(d, a, &f, qq->qtype);
		return DNSD_RCODE_OK;
	}
	/* Under our domain nothing else can answer; elsewhere the upstreams may. */
	return stripped ? DNSD_RCODE_NXDOMAIN : -1;
}

size_t dnsd_answer(struct dnsd *d, size_t net, const struct nd_addr *src, const uint8_t *msg,
		   size_t len, uint8_t *out, size_t cap)
{
	struct dnsd_query qq;
	struct dnsd_answer a = { .buf = out, .cap = cap };
	struct querier q = { .n = 0 };
	const struct dnsd_ep *me;
	struct nd_addr paddr;
	int rcode = dnsd_wire_parse_query(msg, len, &qq);

	if (rcode < 0)
		return SIZE_MAX; /* drop */
	if (rcode > 0)
		return dnsd_wire_error(out, cap, msg, len, rcode);
	me = dnsd_index_by_addr(d->view.index, net, src);
	if (!me) {
		dnsd_wire_begin(&a, msg, &qq, DNSD_RCODE_REFUSED, false);
		return dnsd_wire_end(&a); /* not an open resolver */
	}
	dnsd_index_container_each(d->view.index, me->rec.container_id, add_querier_ep, &q);
	if (qq.qclass != LDNS_RR_CLASS_IN)
		return 0;
	dnsd_wire_begin(&a, msg, &qq, DNSD_RCODE_OK, true);
	rcode = ptr_addr(qq.qname, &paddr) ?
			(qq.qtype == LDNS_RR_TYPE_PTR ? answer_ptr(d, &q, &paddr, &a) : -1) :
			answer_name(d, &q, &qq, &a);
	if (rcode < 0)
		return 0; /* forward */
	if (rcode != DNSD_RCODE_OK)
		dnsd_wire_begin(&a, msg, &qq, rcode, true);
	return dnsd_wire_end(&a);
}
