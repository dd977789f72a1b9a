// SPDX-License-Identifier: MIT
/*
 * DNS wire format. Queries are read through a cursor that checks the bytes
 * left before every read (NSD's discipline); a question with a compression
 * pointer, a label over 63 or a name over 255 bytes is FORMERR. Answers are
 * written into the caller's buffer: a local answer allocates nothing.
 */
#include "dnsd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include <ldns/ldns.h>

#define HDR_LEN 12
#define FLAG_QR 0x8000
#define FLAG_AA 0x0400
#define FLAG_TC 0x0200
#define FLAG_RD 0x0100
#define FLAG_RA 0x0080
#define OPCODE(f) (((f) >> 11) & 0xf)

struct cursor {
	const uint8_t *p, *end;
};

static bool take_u16(struct cursor *c, uint16_t *v)
{
	if (c->end - c->p < 2)
		return false;
	*v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	return true;
}

/* Reads an uncompressed name into out (lower case, dotted, no trailing dot). */
static int take_name(struct cursor *c, char *out, size_t cap)
{
	size_t len = 0, wire = 0;

	for (;;) {
		uint8_t l;

		if (c->p >= c->end)
			return DNSD_RCODE_FORMERR;
		l = *c->p++;
		wire += 1u + l;
		if (wire > 255)
			return DNSD_RCODE_FORMERR; /* the root byte counts too */
		if (l == 0)
			break;
		if (l > 63 || c->end - c->p < l || len + l + 2 > cap)
			return DNSD_RCODE_FORMERR; /* also catches pointers: 0xc0 > 63 */
		if (len)
			out[len++] = '.';
		for (uint8_t i = 0; i < l; i++)
			out[len++] = (char)tolower(c->p[i]);
		c->p += l;
	}
	out[len] = '\0';
	return 0;
}

int dnsd_wire_parse_query(const uint8_t *msg, size_t len, struct dnsd_query *q)
{
	struct cursor c = { msg, msg + len };
	uint16_t qd = 0, an = 0, ns = 0, ar = 0;
	int r;

	if (len < HDR_LEN)
		return -1; /* not even a header to answer */
	take_u16(&c, &q->id);
	take_u16(&c, &q->flags);
	take_u16(&c, &qd);
	take_u16(&c, &an);
	take_u16(&c, &ns);
	take_u16(&c, &ar);
	if (q->flags & FLAG_QR)
		return -1; /* a response: never answer it (reflection loops) */
	if (OPCODE(q->flags) != 0)
		return DNSD_RCODE_NOTIMP;
	if (qd != 1 || an != 0 || ns != 0)
		return DNSD_RCODE_FORMERR;
	r = take_name(&c, q->qname, sizeof(q->qname));
	if (r)
		return r;
	if (!take_u16(&c, &q->qtype) || !take_u16(&c, &q->qclass))
		return DNSD_RCODE_FORMERR;
	q->question_end = (size_t)(c.p - msg);
	return 0;
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool room(struct dnsd_answer *a, size_t n)
{
	if (a->cap - a->len >= n)
		return true;
	a->truncated = true;
	return false;
}

void dnsd_wire_begin(struct dnsd_answer *a, const uint8_t *query, const struct dnsd_query *q,
		     int rcode, bool authoritative)
{
	uint16_t flags = (uint16_t)(FLAG_QR | FLAG_RA | (q->flags & FLAG_RD) | (rcode & 0xf));

	if (authoritative)
		flags |= FLAG_AA;
	a->len = a->ancount = 0;
	a->truncated = false;
	if (a->cap < q->question_end)
		return;
	memcpy(a->buf, query, q->question_end);
	put_u16(a->buf + 2, flags);
	put_u16(a->buf + 4, 1);
	memset(a->buf + 6, 0, 6);
	a->len = q->question_end;
}

/* Owner name as a pointer to the question (offset 12) keeps every record small. */
static bool add_rr_head(struct dnsd_answer *a, uint16_t type, uint16_t rdlen)
{
	uint8_t *p;

	if (a->truncated || !room(a, 12u + rdlen))
		return false;
	p = a->buf + a->len;
	put_u16(p, 0xc000 | HDR_LEN);
	put_u16(p + 2, type);
	put_u16(p + 4, 1);
	put_u16(p + 6, 0);
	put_u16(p + 8, DNSD_TTL);
	put_u16(p + 10, rdlen);
	a->len += 12;
	return true;
}

void dnsd_wire_add_addr(struct dnsd_answer *a, const struct nd_addr *addr)
{
	size_t n = nd_addr_len(addr);

	if (!add_rr_head(a, addr->family == AF_INET6 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A,
			 (uint16_t)n))
		return;
	memcpy(a->buf + a->len, addr->bytes, n);
	a->len += n;
	a->ancount++;
}

/* Encodes "a.b" + "." + domain as labels; returns the length or 0 if it does not fit. */
static size_t encode_name(uint8_t *out, size_t cap, const char *name, const char *domain)
{
	char full[512];
	size_t len = 0;

	snprintf(full, sizeof(full), "%s%s%s", name, domain[0] ? "." : "", domain);
	for (char *label = full, *dot; label && *label; label = dot ? dot + 1 : NULL) {
		size_t l;

		dot = strchr(label, '.');
		l = dot ? (size_t)(dot - label) : strlen(label);
		if (l == 0 || l > 63 || len + l + 2 > cap || len + l + 2 > 255)
			return 0;
		out[len++] = (uint8_t)l;
		memcpy(out + len, label, l);
		len += l;
	}
	out[len++] = 0;
	return len;
}

void dnsd_wire_add_ptr(struct dnsd_answer *a, const char *name, const char *domain)
{
	uint8_t rdata[256];
	size_t n = encode_name(rdata, sizeof(rdata), name, domain);

	if (!n || !add_rr_head(a, LDNS_RR_TYPE_PTR, (uint16_t)n))
		return;
	memcpy(a->buf + a->len, rdata, n);
	a->len += n;
	a->ancount++;
}

size_t dnsd_wire_error(uint8_t *buf, size_t cap, const uint8_t *query, size_t len, int rcode)
{
	uint16_t flags;

	if (len < HDR_LEN || cap < HDR_LEN)
		return 0;
	memcpy(buf, query, HDR_LEN);
	flags = (uint16_t)((query[2] << 8 | query[3]) & (0x7800 | FLAG_RD));
	put_u16(buf + 2, (uint16_t)(flags | FLAG_QR | FLAG_RA | (rcode & 0xf)));
	memset(buf + 4, 0, 8);
	return HDR_LEN;
}

size_t dnsd_wire_end(struct dnsd_answer *a)
{
	if (a->len < HDR_LEN)
		return 0;
	put_u16(a->buf + 6, a->ancount);
	if (a->truncated)
		a->buf[2] |= FLAG_TC >> 8;
	return a->len;
}

int dnsd_wire_check_reply(const uint8_t *msg, size_t len, bool *truncated)
{
	ldns_pkt *pkt = NULL;

	if (ldns_wire2pkt(&pkt, msg, len) != LDNS_STATUS_OK)
		return -1;
	*truncated = ldns_pkt_tc(pkt);
	ldns_pkt_free(pkt);
	return 0;
}
