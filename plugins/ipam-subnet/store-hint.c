// SPDX-License-Identifier: MIT
/*
 * Allocation hints. A range of up to 2^20 addresses keeps a bitmap, so the
 * lowest free address is found by scanning 64-bit words (1,024 for a /16):
 * the 60,000th lease costs what the first did, without touching the lease
 * files. Larger ranges (IPv6) are sparse and keep only a cursor, probing
 * lease files from it.
 */
#include "store-hint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir.h"

#define HINT_MAGIC "NDHINT1"
#define HINT_MAX_BITS (1u << 20)
#define HINT_MAX_PROBES 4096

struct hint_header {
	char magic[8];
	uint8_t first[16];
	uint8_t last[16];
	int32_t family;
	uint32_t pad;
	uint64_t cursor;
	uint64_t nbits; /* 0: no bitmap (sparse range) */
};

struct ipam_hint {
	int fd;
	int addr_fd;
	const struct ipam_range *range;
	struct hint_header hdr;
	uint64_t span; /* addresses in first..last, saturated */
	uint64_t *bits;
	uint64_t dirty_word; /* index of the one word changed since load, or UINT64_MAX */
	bool rebuilt;
};

void ipam_hint_free(struct ipam_hint *h)
{
	if (!h)
		return;
	closep(&h->fd);
	free(h->bits);
	free(h);
}

static void bit_set(struct ipam_hint *h, uint64_t i, bool on)
{
	if (on)
		h->bits[i / 64] |= (uint64_t)1 << (i % 64);
	else
		h->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
}

static bool lease_exists(int addr_fd, const struct nd_addr *a)
{
	char name[ND_ADDR_STRLEN];

	return faccessat(addr_fd, nd_addr_to_str(a, name), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The bitmap from the truth: excluded addresses, then every lease file in the range. */
static int hint_build(struct ipam_hint *h)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct nd_addr a = h->range->first;
	struct dirent *de;
	int r;

	memset(h->bits, 0, (h->hdr.nbits + 63) / 64 * 8);
	for (uint64_t i = 0; i < h->hdr.nbits; i++, a = nd_addr_add(&a, 1))
		if (ipam_range_excluded(h->range, &a))
			bit_set(h, i, true);
	r = nd_dir_stream(h->addr_fd, ".", &d);
	if (r < 0)
		return r;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && nd_addr_parse(de->d_name, &a) == 0 &&
		    nd_addr_cmp(&a, &h->range->first) >= 0 && nd_addr_cmp(&a, &h->range->last) <= 0)
			bit_set(h, nd_addr_distance(&h->range->first, &a), true);
	h->dirty_word = UINT64_MAX - 1; /* whole bitmap */
	h->rebuilt = true;
	return 0;
}

static int hint_load(struct ipam_hint *h, bool created)
{
	size_t bytes = (h->hdr.nbits + 63) / 64 * 8;
	struct hint_header disk;

	if (!created && pread(h->fd, &disk, sizeof(disk), 0) == (ssize_t)sizeof(disk) &&
	    !memcmp(&disk, &h->hdr, offsetof(struct hint_header, cursor)) &&
	    disk.nbits == h->hdr.nbits &&
	    (!bytes || pread(h->fd, h->bits, bytes, sizeof(disk)) == (ssize_t)bytes)) {
		h->hdr.cursor = disk.cursor % (h->span ? h->span : 1);
		return 0;
	}
	/* Missing, torn or from another range layout: rebuild from the lease files. */
	return h->hdr.nbits ? hint_build(h) : 0;
}

static void hint_name(const struct ipam_range *r, char *buf, size_t size)
{
	char a[ND_ADDR_STRLEN], b[ND_ADDR_STRLEN];

	snprintf(buf, size, "hint-%s-%s", nd_addr_to_str(&r->first, a),
		 nd_addr_to_str(&r->last, b));
}

int ipam_hint_open(int dirfd, int addr_fd, const struct ipam_range *r, struct ipam_hint **ret)
{
	_cleanup_(ipam_hint_freep) struct ipam_hint *h = calloc(1, sizeof(*h));
	char name[2 * ND_ADDR_STRLEN + 8];
	struct stat st;
	int e;

	if (!h)
		return -ENOMEM;
	h->range = r;
	h->addr_fd = addr_fd;
	h->dirty_word = UINT64_MAX;
	h->span = nd_addr_distance(&r->first, &r->last);
	h->span = h->span == UINT64_MAX ? UINT64_MAX : h->span + 1;
	memcpy(h->hdr.magic, HINT_MAGIC, sizeof(h->hdr.magic));
	memcpy(h->hdr.first, r->first.bytes, 16);
	memcpy(h->hdr.last, r->last.bytes, 16);
	h->hdr.family = r->first.family;
	h->hdr.nbits = h->span <= HINT_MAX_BITS ? h->span : 0;
	if (h->hdr.nbits) {
		h->bits = calloc((h->hdr.nbits + 63) / 64, 8);
		if (!h->bits)
			return -ENOMEM;
	}
	hint_name(r, name, sizeof(name));
	h->fd = openat(dirfd, name, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (h->fd < 0 || fstat(h->fd, &st) < 0)
		return -errno;
	e = hint_load(h, st.st_size == 0);
	if (e < 0)
		return e;
	*ret = steal_ptr(h);
	return 0;
}

/* First clear bit at or after start, wrapping once; UINT64_MAX when all are set. */
static uint64_t bitmap_find_clear(const struct ipam_hint *h, uint64_t start)
{
	uint64_t nbits = h->hdr.nbits, words = (nbits + 63) / 64;

	for (uint64_t k = 0; k <= words; k++) {
		uint64_t w = (start / 64 + k) % words;
		uint64_t free_bits = ~h->bits[w];

		if (k == 0)
			free_bits &= ~(uint64_t)0 << (start % 64);
		if (w == words - 1 && nbits % 64)
			free_bits &= ((uint64_t)1 << (nbits % 64)) - 1;
		if (free_bits)
			return w * 64 + (uint64_t)__builtin_ctzll(free_bits);
	}
	return UINT64_MAX;
}

static int sparse_next(struct ipam_hint *h, struct nd_addr *ret)
{
	for (unsigned probe = 0; probe < HINT_MAX_PROBES; probe++) {
		uint64_t i = (h->hdr.cursor + probe) % h->span;
		struct nd_addr a = nd_addr_add(&h->range->first, i);

		if (!ipam_range_excluded(h->range, &a) && !lease_exists(h->addr_fd, &a)) {
			*ret = a;
			return 0;
		}
	}
	return -ENOSPC;
}

int ipam_hint_next(struct ipam_hint *h, struct nd_addr *ret)
{
	uint64_t i;

	if (!h->hdr.nbits)
		return sparse_next(h, ret);
	/* Docker hands out the lowest free address; a bitmap finds it in a bounded scan. */
	i = bitmap_find_clear(h, 0);
	if (i == UINT64_MAX && !h->rebuilt) {
		/* Full by the hint: bits leaked by a crash between unlink and clear come back. */
		int e = hint_build(h);

		if (e < 0)
			return e;
		i = bitmap_find_clear(h, 0);
	}
	if (i == UINT64_MAX)
		return -ENOSPC;
	*ret = nd_addr_add(&h->range->first, i);
	return 0;
}

void ipam_hint_mark(struct ipam_hint *h, const struct nd_addr *a)
{
	uint64_t i = nd_addr_distance(&h->range->first, a);

	h->hdr.cursor = h->span ? (i + 1) % h->span : 0;
	if (!h->hdr.nbits || i >= h->hdr.nbits)
		return;
	bit_set(h, i, true);
	if (h->dirty_word == UINT64_MAX)
		h->dirty_word = i / 64;
	else if (h->dirty_word != i / 64)
		h->dirty_word = UINT64_MAX - 1;
}

int ipam_hint_save(struct ipam_hint *h)
{
	uint64_t words = (h->hdr.nbits + 63) / 64;
	off_t base = (off_t)sizeof(h->hdr);

	if (h->dirty_word == UINT64_MAX - 1) {
		if (pwrite(h->fd, h->bits, words * 8, base) < 0)
			return -errno;
	} else if (h->dirty_word != UINT64_MAX) {
		if (pwrite(h->fd, &h->bits[h->dirty_word], 8, base + (off_t)h->dirty_word * 8) < 0)
			return -errno;
	}
	if (pwrite(h->fd, &h->hdr, sizeof(h->hdr), 0) < 0)
		return -errno;
	h->dirty_word = UINT64_MAX;
	return 0;
}

static void hint_clear_in(int fd, const struct nd_addr *a)
{
	struct hint_header hdr;
	struct nd_addr first = { .family = a->family }, last = first;
	uint64_t i, word;

	if (pread(fd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) || hdr.family != a->family ||
	    !hdr.nbits)
		return;
	memcpy(first.bytes, hdr.first, 16);
	memcpy(last.bytes, hdr.last, 16);
	if (nd_addr_cmp(a, &first) < 0 || nd_addr_cmp(a, &last) > 0)
		return;
	i = nd_addr_distance(&first, a);
	if (i >= hdr.nbits)
		return;
	if (pread(fd, &word, 8, (off_t)(sizeof(hdr) + i / 64 * 8)) != 8)
		return;
	word &= ~((uint64_t)1 << (i % 64));
	if (pwrite(fd, &word, 8, (off_t)(sizeof(hdr) + i / 64 * 8)) < 0)
		return;
}

void ipam_hint_release(int dirfd, const struct nd_addr *a)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (nd_dir_stream(dirfd, ".", &d) < 0)
		return;
	while ((de = readdir(d))) {
		_cleanup_(closep) int hfd = -1;

		if (strncmp(de->d_name, "hint-", 5))
			continue;
		hfd = openat(dirfd, de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		if (hfd >= 0)
			hint_clear_in(hfd, a);
	}
}
