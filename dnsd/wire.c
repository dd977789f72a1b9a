// SPDX-License-Identifier: MIT
/*
 * DNS wire format. Queries are read through a cursor that checks the bytes
 * left before every read (NSD's discipline); a question with a compression
 * pointer, a label over 63 or a name over 255 bytes is FORMERR. Answers are
 * written into the caller's buffer: a local answer allocates nothing. Only
 * ldns's constants are used (see dnsd_wire_check_reply).
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

/* Skips an owner name in the additional section (compressed or not). */
static bool skip_name(struct cursor *c, bool *root)
{
	*root = c->p < c->end && *c->p == 0;
	for (size_t wire = 0; c->p < c->end;) {
		uint8_t l = *c->p++;

		if (l == 0)
			return true;
		if ((l & 0xc0) == 0xc0)
			return c->p++ < c->end; /* a pointer ends the name */
		wire += 1u + l;
		if (l > 63 || wire > 255 || c->end - c->p < l)
			return false;
		c->p += l;
	}
	return false;
}

/*
 * The additional section: at most one OPT (RFC 6891 6.1.1: a second one is
 * FORMERR), owned by the root, whose RDATA fits what is left; other records
 * are skipped whole. Nothing may follow the last record.
 */
static int take_additional(struct cursor *c, uint16_t ar, struct dnsd_query *q)
{
	bool opt_seen = false;

	for (uint16_t i = 0; i < ar; i++) {
		uint16_t type, class, ttl_hi, ttl_lo, rdlen;
		bool root;

		if (!skip_name(c, &root) || !take_u16(c, &type) || !take_u16(c, &class) ||
		    !take_u16(c, &ttl_hi) || !take_u16(c, &ttl_lo) || !take_u16(c, &rdlen) ||
		    c->end - c->p < rdlen)
			return DNSD_RCODE_FORMERR;
		c->p += rdlen;
		if (type != LDNS_RR_TYPE_OPT)
			continue;
		if (opt_seen || !root)
			return DNSD_RCODE_FORMERR;
		opt_seen = true;
		q->edns_version = (uint8_t)ttl_hi;
		q->udp_size = class < 512 ? 512 : class;
	}
	if (c->p != c->end)
		return DNSD_RCODE_FORMERR; /* junk after the last record */
	q->edns = opt_seen;
	return opt_seen && q->edns_version != 0 ? DNSD_RCODE_BADVERS : 0;
}

int dnsd_wire_parse_query(const uint8_t *msg, size_t len, struct dnsd_query *q)
{
	struct cursor c = { msg, msg + len };
	uint16_t qd = 0, an = 0, ns = 0, ar = 0;
	int r;

	q->question_end = 0;
	q->edns = false;
	q->udp_size = 512;
	q->edns_version = 0;
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
	if (qd != 1)
		return DNSD_RCODE_FORMERR;
	r = take_name(&c, q->qname, sizeof(q->qname));
	if (r)
		return r;
	if (!take_u16(&c, &q->qtype) || !take_u16(&c, &q->qclass))
		return DNSD_RCODE_FORMERR;
	q->question_end = (size_t)(c.p - msg);
	if (an != 0 || ns != 0)
		return DNSD_RCODE_FORMERR;
	return take_additional(&c, ar, q);
}

static void put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool room(struct dnsd_answer *a, size_t n)
{
	if (a->cap - a->len >= n + a->reserve)
		return true;
	a->truncated = true;
	return false;
}

void dnsd_wire_begin(struct dnsd_answer *a, const uint8_t *query, const struct dnsd_query *q,
		     int rcode, bool authoritative)
{
	size_t head = q->question_end ? q->question_end : HDR_LEN;
	uint16_t flags = (uint16_t)(FLAG_QR | FLAG_RA | (q->flags & FLAG_RD) | (rcode & 0xf));

	if (authoritative)
		flags |= FLAG_AA;
	a->len = a->ancount = 0;
	a->truncated = false;
	/* A query with OPT gets one back (RFC 6891 7), carrying the upper rcode bits. */
	a->opt = q->edns || rcode > 15;
	a->ext_rcode = (uint8_t)(rcode >> 4);
	a->reserve = a->opt ? 11 : 0;
	if (a->cap < head + a->reserve)
		return;
	memcpy(a->buf, query, head);
	put_u16(a->buf + 2, flags);
	put_u16(a->buf + 4, q->question_end ? 1 : 0);
	memset(a->buf + 6, 0, 6);
	a->len = head;
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

size_t dnsd_wire_error(uint8_t *buf, size_t cap, const uint8_t *head, size_t head_len, int rcode)
{
	uint16_t flags;

	if (head_len < HDR_LEN || cap < head_len)
		return 0;
	memcpy(buf, head, head_len);
	flags = (uint16_t)((head[2] << 8 | head[3]) & (0x7800 | FLAG_RD));
	put_u16(buf + 2, (uint16_t)(flags | FLAG_QR | FLAG_RA | (rcode & 0xf)));
	put_u16(buf + 4, head_len > HDR_LEN ? 1 : 0);
	memset(buf + 6, 0, 6);
	return head_len;
}

/* OPT: root owner, our payload size, the extended rcode, version 0, no options. */
static void add_opt(struct dnsd_answer *a)
{
	uint8_t *p = a->buf + a->len;

	p[0] = 0;
	put_u16(p + 1, LDNS_RR_TYPE_OPT);
	put_u16(p + 3, DNSD_EDNS_SIZE);
	p[5] = a->ext_rcode;
	p[6] = 0;
	put_u16(p + 7, 0);
	put_u16(p + 9, 0);
	a->len += 11;
	put_u16(a->buf + 10, 1);
}

size_t dnsd_wire_end(struct dnsd_answer *a)
{
	if (a->len < HDR_LEN)
		return 0;
	put_u16(a->buf + 6, a->ancount);
	if (a->truncated)
		a->buf[2] |= FLAG_TC >> 8;
	if (a->opt)
		add_opt(a);
	return a->len;
}

/*
 * An upstream's reply is passed on only when it parses as a response: QR
 * set, every question and record inside the message, names (compressed or
 * not) within bounds. This walk replaces ldns here: linking ldns pulled
 * libcrypto and libssl into the daemon, 1.9 MB of its 4 MB resident at rest.
 */
int dnsd_wire_check_reply(const uint8_t *msg, size_t len, bool *truncated)
{
	struct cursor c = { msg, msg + len };
	uint16_t id, flags, counts[4];
	bool root;

	if (!take_u16(&c, &id) || !take_u16(&c, &flags))
		return -1;
	for (int i = 0; i < 4; i++)
		if (!take_u16(&c, &counts[i]))
			return -1;
	if (!(flags & FLAG_QR))
		return -1;
	for (uint16_t i = 0; i < counts[0]; i++)
		if (!skip_name(&c, &root) || c.end - c.p < 4)
			return -1;
		else
			c.p += 4;
	for (uint32_t i = 0; i < (uint32_t)counts[1] + counts[2] + counts[3]; i++) {
		uint16_t rdlen = 0;

		if (!skip_name(&c, &root) || c.end - c.p < 10)
			return -1;
		c.p += 8;
		take_u16(&c, &rdlen);
		if (c.end - c.p < rdlen)
			return -1;
		c.p += rdlen;
	}
	*truncated = flags & FLAG_TC;
	return 0;
}
