// SPDX-License-Identifier: MIT
/* The identifiers and per-direction keys of an encrypted network's SAs. */
#include "ipsec.h"

#include <string.h>

#include "hmac-sha256.h"

uint32_t nd_ipsec_mark(unsigned vni)
{
	return ND_IPSEC_MARK_BASE | (vni & 0xffffffu);
}

/*
 * The policy's template names the reqid of the key to send with, so two
 * keys' outbound SAs to one peer can coexist and the switch between them is
 * one policy update: the kernel, given several SAs that fit one template,
 * takes the most recently added (to the second), which would make a
 * rotation's switch depend on timing. Two keys at most are in a ring, and
 * consecutive ids differ in parity.
 */
uint32_t nd_ipsec_reqid(unsigned vni, uint32_t key_id)
{
	return ND_IPSEC_REQID_BASE | (vni & 0xffffffu) << 1 | (key_id & 1);
}

uint32_t nd_ipsec_reqid_none(unsigned vni)
{
	return ND_IPSEC_REQID_BASE | 1u << 25 | (vni & 0xffffffu) << 1;
}

bool nd_ipsec_reqid_vni(uint32_t reqid, unsigned *ret_vni)
{
	/* base | [1 << 25: no key] | VNI << 1 | parity: bits 26-31 are the base's. */
	if ((reqid & 0xfc000000u) != ND_IPSEC_REQID_BASE)
		return false;
	*ret_vni = (reqid >> 1) & 0xffffffu;
	return true;
}

bool nd_ipsec_mark_vni(uint32_t mark, unsigned *ret_vni)
{
	if ((mark & 0xff000000u) != ND_IPSEC_MARK_BASE)
		return false;
	*ret_vni = mark & 0xffffffu;
	return true;
}

/* FNV-1a, then a finaliser that spreads every input bit over the word. */
static uint32_t mix(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

/* The fields that name one direction of one key of one network. */
static size_t direction(const struct nd_addr *src, const struct nd_addr *dst, unsigned vni,
			uint32_t key_id, uint8_t buf[48])
{
	memset(buf, 0, 48);
	memcpy(buf, src->bytes, 16);
	memcpy(buf + 16, dst->bytes, 16);
	for (int i = 0; i < 4; i++) {
		buf[32 + i] = (uint8_t)(vni >> (24 - 8 * i));
		buf[36 + i] = (uint8_t)(key_id >> (24 - 8 * i));
	}
	buf[40] = (uint8_t)src->family;
	return 41;
}

uint32_t nd_ipsec_spi(const struct nd_addr *src, const struct nd_addr *dst, unsigned vni,
		      uint32_t key_id)
{
	uint8_t buf[48];
	uint32_t spi = mix(buf, direction(src, dst, vni, key_id, buf));

	/* RFC 4303: 1-255 are reserved, 0 is never sent. */
	return spi < 256 ? spi + 256 : spi;
}

/*
 * One key per direction, not one per network: AES-GCM's nonce is the
 * 4-byte salt and a 64-bit counter-based IV, so two senders sharing a key
 * and salt could repeat a nonce, which breaks GCM.
 */
void nd_ipsec_derive(const struct nd_ipsec_key *k, const struct nd_addr *src,
		     const struct nd_addr *dst, unsigned vni, uint8_t out[ND_XFRM_KEY_LEN])
{
	static const char label[] = "netdock esp v1";
	uint8_t msg[sizeof(label) + 48], mac[ND_SHA256_LEN];
	size_t n = direction(src, dst, vni, k->id, msg + sizeof(label));

	memcpy(msg, label, sizeof(label));
	nd_hmac_sha256(k->secret, sizeof(k->secret), msg, sizeof(label) + n, mac);
	memcpy(out, mac, ND_XFRM_KEY_LEN);
	explicit_bzero(mac, sizeof(mac));
}
