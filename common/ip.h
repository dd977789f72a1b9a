/* SPDX-License-Identifier: MIT */
/* IPv4/IPv6 addresses and prefixes: parsing, printing, arithmetic. */
#ifndef ND_IP_H
#define ND_IP_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>

/* "ffff:...:ffff/128" plus NUL */
#define ND_ADDR_STRLEN 46
#define ND_PREFIX_STRLEN 50

struct nd_addr {
	int family; /* AF_INET, AF_INET6, or 0 when unset */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

struct nd_prefix {
	struct nd_addr addr;
	uint8_t len;
};

/* Parses a bare address. Returns 0 or -EINVAL. */
int nd_addr_parse(const char *s, struct nd_addr *ret);
/* Parses "addr/len". Host bits are kept (an interface address); see nd_prefix_is_network. */
int nd_prefix_parse(const char *s, struct nd_prefix *ret);
/* Parses "addr/len" or a bare address, which gets the full host length. */
int nd_prefix_parse_or_host(const char *s, struct nd_prefix *ret);

/* Writes into buf (ND_ADDR_STRLEN / ND_PREFIX_STRLEN); returns buf, "" if unset. */
const char *nd_addr_to_str(const struct nd_addr *a, char *buf);
const char *nd_prefix_to_str(const struct nd_prefix *p, char *buf);

static inline size_t nd_addr_len(const struct nd_addr *a)
{
	return a->family == AF_INET6 ? 16 : 4;
}

static inline unsigned nd_addr_bits(const struct nd_addr *a)
{
	return a->family == AF_INET6 ? 128 : 32;
}

bool nd_addr_equal(const struct nd_addr *a, const struct nd_addr *b);
bool nd_addr_is_set(const struct nd_addr *a);
/* Orders by family, then bytes (memcmp-like sign). */
int nd_addr_cmp(const struct nd_addr *a, const struct nd_addr *b);

/* The prefix with host bits cleared. */
struct nd_prefix nd_prefix_network(const struct nd_prefix *p);
/* True when p has no host bits set. */
bool nd_prefix_is_network(const struct nd_prefix *p);
bool nd_prefix_contains(const struct nd_prefix *p, const struct nd_addr *a);
bool nd_prefix_overlaps(const struct nd_prefix *a, const struct nd_prefix *b);
/* Last address of p (the IPv4 broadcast). */
struct nd_addr nd_prefix_last(const struct nd_prefix *p);
/* Number of addresses in p, saturating at UINT64_MAX. */
uint64_t nd_prefix_size(const struct nd_prefix *p);

/* a + off, wrapping inside the address width. */
struct nd_addr nd_addr_add(const struct nd_addr *a, uint64_t off);
/* b - a for addresses of one family, saturating at UINT64_MAX; 0 if b < a. */
uint64_t nd_addr_distance(const struct nd_addr *a, const struct nd_addr *b);

#endif
