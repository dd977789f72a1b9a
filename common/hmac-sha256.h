/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104): derives the per-direction ESP keys. */
#ifndef ND_HMAC_SHA256_H
#define ND_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define ND_SHA256_LEN 32

struct nd_sha256 {
	uint32_t h[8];
	uint8_t block[64];
	size_t fill; /* bytes in block */
	uint64_t total; /* bytes hashed so far */
};

void nd_sha256_init(struct nd_sha256 *s);
void nd_sha256_update(struct nd_sha256 *s, const void *data, size_t len);
/* Writes the digest and wipes the state. */
void nd_sha256_final(struct nd_sha256 *s, uint8_t out[ND_SHA256_LEN]);

/* HMAC-SHA256 of msg under key; every intermediate is wiped. */
void nd_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		    uint8_t out[ND_SHA256_LEN]);

#endif
