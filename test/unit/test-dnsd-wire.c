// SPDX-License-Identifier: MIT
/* dnsd's wire format: the question parser's limits and answers that ldns reads back. */
#include "dnsd/dnsd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "tap.h"

/* Writes a query header (QDCOUNT 1 unless qd says otherwise) and returns its length. */
static size_t query_head(uint8_t *buf, uint16_t flags, uint16_t qd)
{
	memset(buf, 0, 12);
	buf[0] = 0x12;
	buf[1] = 0x34;
	buf[2] = (uint8_t)(flags >> 8);
	buf[3] = (uint8_t)flags;
	buf[5] = (uint8_t)qd;
	return 12;
}

/* Appends labels of the given lengths ('a' * len each), the root, QTYPE A, QCLASS IN. */
static size_t query_name(uint8_t *buf, size_t len, const size_t *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf[len++] = (uint8_t)labels[i];
		memset(buf + len, 'a', labels[i]);
		len += labels[i];
	}
	buf[len++] = 0;
	memcpy(buf + len, "\0\1\0\1", 4);
	return len + 4;
}

static void parse_limits(struct tap *t)
{
	uint8_t buf[600];
	struct dnsd_query q;
	size_t l63[] = { 63, 3 }, l64[] = { 64 }, l_max[] = { 63, 63, 63, 61 },
	       l_over[] = { 63, 63, 63, 62 };
	size_t n;

	n = query_name(buf, query_head(buf, 0x0100, 1), l63, 2);
	TAP_OK(t,
	       dnsd_wire_parse_query(buf, n, &q) == 0 && strlen(q.qname) == 67 && q.qtype == 1 &&
		       q.question_end == n,
	       "a 63-byte label is read");
	n = query_name(buf, query_head(buf, 0, 1), l64, 1);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR,
	       "a 64-byte label: FORMERR");
	n = query_name(buf, query_head(buf, 0, 1), l_max, 4);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == 0, "a 255-byte name is read");
	n = query_name(buf, query_head(buf, 0, 1), l_over, 4);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR,
	       "a 256-byte name: FORMERR");
	n = query_head(buf, 0, 1);
	memcpy(buf + n, "\xc0\x0c\0\1\0\1", 6);
	TAP_OK(t, dnsd_wire_parse_query(buf, n + 6, &q) == DNSD_RCODE_FORMERR,
	       "a compression pointer in the question: FORMERR");
}

static void parse_header(struct tap *t)
{
	uint8_t buf[64];
	struct dnsd_query q;
	size_t one[] = { 1 }, n;

	n = query_name(buf, query_head(buf, 0x8000, 1), one, 1);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == -1, "a response is dropped");
	n = query_name(buf, query_head(buf, 0x2800, 1), one, 1);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_NOTIMP, "opcode UPDATE: NOTIMP");
	n = query_name(buf, query_head(buf, 0, 2), one, 1);
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR, "QDCOUNT 2: FORMERR");
	TAP_OK(t, dnsd_wire_parse_query(buf, 11, &q) == -1, "a short header is dropped");
	n = query_name(buf, query_head(buf, 0, 1), one, 1);
	for (size_t cut = 12; cut < n; cut++)
		if (dnsd_wire_parse_query(buf, cut, &q) != DNSD_RCODE_FORMERR)
			TAP_OK(t, false, "truncated at %zu", cut);
	TAP_OK(t, true, "every truncated question: FORMERR");
}

static void answer_round_trip(struct tap *t)
{
	uint8_t query[64], out[512];
	struct dnsd_query q;
	struct dnsd_answer a = { .buf = out, .cap = sizeof(out) };
	struct nd_addr v4, v6;
	ldns_pkt *pkt = NULL;
	size_t n, len;
	bool tc = true;

	n = query_head(query, 0x0100, 1);
	memcpy(query + n, "\12container3\0\0\1\0\1", 16);
	n += 16;
	TAP_OK(t, dnsd_wire_parse_query(query, n, &q) == 0, "query parsed");
	nd_addr_parse("172.25.0.3", &v4);
	nd_addr_parse("fd00:25::3", &v6);
	dnsd_wire_begin(&a, query, &q, DNSD_RCODE_OK, true);
	dnsd_wire_add_addr(&a, &v4);
	dnsd_wire_add_addr(&a, &v6);
	dnsd_wire_add_ptr(&a, "container3", "dns.netdock");
	len = dnsd_wire_end(&a);
	TAP_OK(t, dnsd_wire_check_reply(out, len, &tc) == 0 && !tc, "answer is a valid response");
	TAP_OK(t,
	       ldns_wire2pkt(&pkt, out, len) == LDNS_STATUS_OK && ldns_pkt_id(pkt) == 0x1234 &&
		       ldns_pkt_aa(pkt) && ldns_pkt_rd(pkt) && ldns_pkt_ancount(pkt) == 3,
	       "ldns reads id, AA, RD and three answers");
	if (pkt) {
		char *ptr = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(pkt), 2), 0));

		TAP_STR_EQ(t, ptr, "container3.dns.netdock.", "PTR target with the domain");
		free(ptr);
		ldns_pkt_free(pkt);
	}
}

static void answer_truncates(struct tap *t)
{
	uint8_t query[64], out[40];
	struct dnsd_query q;
	struct dnsd_answer a = { .buf = out, .cap = sizeof(out) };
	struct nd_addr v4;
	size_t n, len;
	bool tc = false;

	n = query_head(query, 0, 1);
	memcpy(query + n, "\3app\0\0\1\0\1", 9);
	dnsd_wire_parse_query(query, n + 9, &q);
	nd_addr_parse("172.25.0.6", &v4);
	dnsd_wire_begin(&a, query, &q, DNSD_RCODE_OK, true);
	for (int i = 0; i < 3; i++)
		dnsd_wire_add_addr(&a, &v4);
	len = dnsd_wire_end(&a);
	TAP_OK(t,
	       len <= sizeof(out) && dnsd_wire_check_reply(out, len, &tc) == 0 && tc &&
		       a.ancount == 1,
	       "a full buffer keeps whole records and sets TC");
}

/* A query for "web" A with ar additional bytes appended (ARCOUNT given separately). */
static size_t query_with(uint8_t *buf, uint16_t arcount, const uint8_t *extra, size_t n_extra)
{
	size_t n = query_head(buf, 0x0100, 1);

	buf[11] = (uint8_t)arcount;
	memcpy(buf + n, "\3web\0\0\1\0\1", 9);
	n += 9;
	memcpy(buf + n, extra, n_extra);
	return n + n_extra;
}

static void parse_edns(struct tap *t)
{
	static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t opt_v1[] = { 0, 0, 41, 0x04, 0xd0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t opt_long[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0xea, 0x60, 1, 2 };
	uint8_t buf[4096], two[22], junk[3000];
	struct dnsd_query q;
	size_t n;

	n = query_with(buf, 1, opt, sizeof(opt));
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == 0 && q.edns && q.udp_size == 1232,
	       "an OPT is read: EDNS, payload size 1232");
	n = query_with(buf, 1, opt_v1, sizeof(opt_v1));
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_BADVERS && q.question_end,
	       "EDNS version 1: BADVERS, question kept");
	memcpy(two, opt, sizeof(opt));
	memcpy(two + sizeof(opt), opt, sizeof(opt));
	n = query_with(buf, 2, two, sizeof(two));
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR, "two OPTs: FORMERR");
	n = query_with(buf, 1, opt_long, sizeof(opt_long));
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR,
	       "an OPT claiming 60,000 bytes of a 2-byte tail: FORMERR");
	memset(junk, 0xa5, sizeof(junk));
	n = query_with(buf, 0, junk, sizeof(junk));
	TAP_OK(t, dnsd_wire_parse_query(buf, n, &q) == DNSD_RCODE_FORMERR && q.question_end == 21,
	       "3,000 bytes after the question: FORMERR with the question");
}

static void answer_edns(struct tap *t)
{
	static const uint8_t opt_v1[] = { 0, 0, 41, 0x04, 0xd0, 0, 1, 0, 0, 0, 0 };
	uint8_t query[64], out[512];
	struct dnsd_query q;
	struct dnsd_answer a = { .buf = out, .cap = sizeof(out) };
	ldns_pkt *pkt = NULL;
	size_t n, len;

	n = query_with(query, 1, opt_v1, sizeof(opt_v1));
	dnsd_wire_begin(&a, query, &q, dnsd_wire_parse_query(query, n, &q), false);
	len = dnsd_wire_end(&a);
	TAP_OK(t,
	       ldns_wire2pkt(&pkt, out, len) == LDNS_STATUS_OK && ldns_pkt_edns(pkt) &&
		       ldns_pkt_edns_extended_rcode(pkt) == 1 && ldns_pkt_get_rcode(pkt) == 0 &&
		       ldns_pkt_qdcount(pkt) == 1,
	       "BADVERS: extended rcode 1 in the OPT, the question echoed");
	ldns_pkt_free(pkt);
}

static void error_echo(struct tap *t)
{
	uint8_t query[64], out[64];
	struct dnsd_query q;
	ldns_pkt *pkt = NULL;
	size_t n, len;
	bool tc;

	n = query_with(query, 0, (const uint8_t *)"", 0);
	dnsd_wire_parse_query(query, n, &q);
	len = dnsd_wire_error(out, sizeof(out), query, q.question_end, DNSD_RCODE_SERVFAIL);
	TAP_OK(t,
	       ldns_wire2pkt(&pkt, out, len) == LDNS_STATUS_OK &&
		       ldns_pkt_get_rcode(pkt) == LDNS_RCODE_SERVFAIL && ldns_pkt_qdcount(pkt) == 1,
	       "SERVFAIL echoes the question");
	ldns_pkt_free(pkt);
	TAP_OK(t, dnsd_wire_check_reply(out, len, &tc) == 0 && !tc, "it passes the reply check");
	TAP_OK(t, dnsd_wire_check_reply(query, n, &tc) < 0, "a query is no reply");
	TAP_OK(t, dnsd_wire_check_reply(out, len - 1, &tc) < 0, "a cut reply is refused");
}

int main(void)
{
	struct tap t = { 0 };

	parse_edns(&t);
	answer_edns(&t);
	error_echo(&t);
	parse_limits(&t);
	parse_header(&t);
	answer_round_trip(&t);
	answer_truncates(&t);
	return tap_done(&t);
}
