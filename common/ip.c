// SPDX-License-Identifier: MIT
/* Address arithmetic on the 16-byte big-endian representation of both families. */
#include "ip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int nd_addr_parse(const char *s, struct nd_addr *ret)
{
	struct nd_addr a = { 0 };

	if (!s)
		return -EINVAL;
	if (inet_pton(AF_INET, s, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, &a.v6) == 1)
		a.family = AF_INET6;
	else
		return -EINVAL;
	*ret = a;
	return 0;
}

static int parse_len(const char *s, unsigned max, uint8_t *ret)
{
	unsigned v = 0;

	if (!*s || strlen(s) > 3)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > max)
		return -EINVAL;
	*ret = (uint8_t)v;
	return 0;
}

int nd_prefix_parse(const char *s, struct nd_prefix *ret)
{
	char buf[ND_PREFIX_STRLEN];
	struct nd_prefix p;
	char *slash;
	int r;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	r = nd_addr_parse(buf, &p.addr);
	if (r < 0)
		return r;
	r = parse_len(slash + 1, nd_addr_bits(&p.addr), &p.len);
	if (r < 0)
		return r;
	*ret = p;
	return 0;
}

int nd_prefix_parse_or_host(const char *s, struct nd_prefix *ret)
{
	struct nd_addr a;
	int r;

	if (s && strchr(s, '/'))
		return nd_prefix_parse(s, ret);
	r = nd_addr_parse(s, &a);
	if (r < 0)
		return r;
	ret->addr = a;
	ret->len = (uint8_t)nd_addr_bits(&a);
	return 0;
}

const char *nd_addr_to_str(const struct nd_addr *a, char *buf)
{
	buf[0] = '\0';
	if (a->family == AF_INET || a->family == AF_INET6)
		inet_ntop(a->family, a->bytes, buf, ND_ADDR_STRLEN);
	return buf;
}

const char *nd_prefix_to_str(const struct nd_prefix *p, char *buf)
{
	char a[ND_ADDR_STRLEN];

	buf[0] = '\0';
	if (nd_addr_is_set(&p->addr))
		snprintf(buf, ND_PREFIX_STRLEN, "%s/%u", nd_addr_to_str(&p->addr, a), p->len);
	return buf;
}

bool nd_addr_is_set(const struct nd_addr *a)
{
	return a->family == AF_INET || a->family == AF_INET6;
}

bool nd_addr_equal(const struct nd_addr *a, const struct nd_addr *b)
{
	return a->family == b->family && !memcmp(a->bytes, b->bytes, nd_addr_len(a));
}

int nd_addr_cmp(const struct nd_addr *a, const struct nd_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, nd_addr_len(a));
}

/* Applies keep-mask (host bits cleared) or set-mask (host bits set). */
static struct nd_addr mask_host(const struct nd_addr *a, unsigned len, bool set)
{
	struct nd_addr r = *a;
	unsigned bits = nd_addr_bits(a);

	for (unsigned i = len; i < bits; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if (set)
			r.bytes[i / 8] |= bit;
		else
			r.bytes[i / 8] &= (uint8_t)~bit;
	}
	return r;
}

struct nd_prefix nd_prefix_network(const struct nd_prefix *p)
{
	struct nd_prefix r = { .addr = mask_host(&p->addr, p->len, false), .len = p->len };

	return r;
}

bool nd_prefix_is_network(const struct nd_prefix *p)
{
	struct nd_prefix n = nd_prefix_network(p);

	return nd_addr_equal(&n.addr, &p->addr);
}

bool nd_prefix_contains(const struct nd_prefix *p, const struct nd_addr *a)
{
	struct nd_addr x, y;

	if (p->addr.family != a->family)
		return false;
	x = mask_host(&p->addr, p->len, false);
	y = mask_host(a, p->len, false);
	return nd_addr_equal(&x, &y);
}

bool nd_prefix_overlaps(const struct nd_prefix *a, const struct nd_prefix *b)
{
	return a->len <= b->len ? nd_prefix_contains(a, &b->addr) : nd_prefix_contains(b, &a->addr);
}

struct nd_addr nd_prefix_last(const struct nd_prefix *p)
{
	return mask_host(&p->addr, p->len, true);
}

uint64_t nd_prefix_size(const struct nd_prefix *p)
{
	unsigned host = nd_addr_bits(&p->addr) - p->len;

	return host >= 64 ? UINT64_MAX : (uint64_t)1 << host;
}

struct nd_addr nd_addr_add(const struct nd_addr *a, uint64_t off)
{
	struct nd_addr r = *a;
	unsigned carry = 0;

	for (int i = (int)nd_addr_len(a) - 1; i >= 0; i--) {
		unsigned sum = r.bytes[i] + (unsigned)(off & 0xff) + carry;

		r.bytes[i] = (uint8_t)sum;
		carry = sum >> 8;
		off >>= 8;
	}
	return r;
}

uint64_t nd_addr_distance(const struct nd_addr *a, const struct nd_addr *b)
{
	size_t n = nd_addr_len(a);
	uint8_t diff[16];
	int borrow = 0;

	if (a->family != b->family || nd_addr_cmp(b, a) < 0)
		return 0;
	for (int i = (int)n - 1; i >= 0; i--) {
		int d = b->bytes[i] - a->bytes[i] - borrow;

		borrow = d < 0;
		diff[i] = (uint8_t)(d + (borrow ? 256 : 0));
	}
	for (size_t i = 0; i + 8 < n; i++)
		if (diff[i])
			return UINT64_MAX;
	uint64_t v = 0;

	for (size_t i = n > 8 ? n - 8 : 0; i < n; i++)
		v = (v << 8) | diff[i];
	return v;
}
