// SPDX-License-Identifier: MIT
/* SHA-256/HMAC vectors, the derived identifiers and keys, the key ring and its etcd JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "hmac-sha256.h"
#include "ipsec.h"
#include "tap.h"

static const char *hex(const uint8_t *p, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		sprintf(buf + 2 * i, "%02x", p[i]);
	return buf;
}

static const char *sha(const void *m, size_t n, char *buf)
{
	struct nd_sha256 s;
	uint8_t d[ND_SHA256_LEN];

	nd_sha256_init(&s);
	nd_sha256_update(&s, m, n);
	nd_sha256_final(&s, d);
	return hex(d, sizeof(d), buf);
}

static const char *hmac(const void *k, size_t kn, const char *m, char *buf)
{
	uint8_t d[ND_SHA256_LEN];

	nd_hmac_sha256(k, kn, m, strlen(m), d);
	return hex(d, sizeof(d), buf);
}

/* FIPS 180-4 examples and RFC 4231 test cases 1, 2 and 6. */
static void vectors(struct tap *t)
{
	static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t k1[20], k6[131];
	char buf[65];

	memset(k1, 0x0b, sizeof(k1));
	memset(k6, 0xaa, sizeof(k6));
	TAP_STR_EQ(t, sha("abc", 3, buf),
		   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		   "sha256 abc");
	TAP_STR_EQ(t, sha(two_blocks, strlen(two_blocks), buf),
		   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		   "sha256 of 56 bytes (padding spills into a second block)");
	TAP_STR_EQ(t, hmac(k1, sizeof(k1), "Hi There", buf),
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		   "hmac RFC 4231 case 1");
	TAP_STR_EQ(t, hmac("Jefe", 4, "what do ya want for nothing?", buf),
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		   "hmac RFC 4231 case 2");
	TAP_STR_EQ(t,
		   hmac(k6, sizeof(k6), "Test Using Larger Than Block-Size Key - Hash Key First",
			buf),
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		   "hmac RFC 4231 case 6 (key longer than a block)");
}

static void identifiers(struct tap *t)
{
	struct nd_addr a, b;
	struct nd_ipsec_key k = { .id = 7 };
	uint8_t ab[ND_XFRM_KEY_LEN], ba[ND_XFRM_KEY_LEN], ab2[ND_XFRM_KEY_LEN],
		other[ND_XFRM_KEY_LEN];

	nd_addr_parse("10.0.0.1", &a);
	nd_addr_parse("10.0.0.2", &b);
	memset(k.secret, 0x5a, sizeof(k.secret));
	TAP_OK(t, nd_ipsec_mark(42) == 0xe500002a, "mark of VNI 42");
	TAP_OK(t, nd_ipsec_reqid(42, 1) != nd_ipsec_reqid(42, 2), "consecutive keys: two reqids");
	TAP_OK(t,
	       nd_ipsec_reqid_none(42) != nd_ipsec_reqid(42, 1) &&
		       nd_ipsec_reqid_none(42) != nd_ipsec_reqid(42, 2),
	       "the no-key reqid is no key's");
	TAP_OK(t, nd_ipsec_reqid(42, 1) != nd_ipsec_reqid(43, 1), "networks: distinct reqids");
	TAP_OK(t, nd_ipsec_spi(&a, &b, 42, 1) != nd_ipsec_spi(&b, &a, 42, 1),
	       "SPI differs per direction");
	TAP_OK(t, nd_ipsec_spi(&a, &b, 42, 1) != nd_ipsec_spi(&a, &b, 42, 2),
	       "SPI differs per key");
	TAP_OK(t, nd_ipsec_spi(&a, &b, 42, 1) != nd_ipsec_spi(&a, &b, 43, 1),
	       "SPI differs per network");
	TAP_OK(t, nd_ipsec_spi(&a, &b, 42, 1) == nd_ipsec_spi(&a, &b, 42, 1), "SPI is stable");
	nd_ipsec_derive(&k, &a, &b, 42, ab);
	nd_ipsec_derive(&k, &b, &a, 42, ba);
	nd_ipsec_derive(&k, &a, &b, 42, ab2);
	nd_ipsec_derive(&k, &a, &b, 43, other);
	TAP_OK(t, !memcmp(ab, ab2, sizeof(ab)), "derived key is stable (both hosts compute it)");
	TAP_OK(t, memcmp(ab, ba, sizeof(ab)), "each direction has its own key and salt");
	TAP_OK(t, memcmp(ab, other, sizeof(ab)), "each network has its own key");
}

static void ring_steps(struct tap *t)
{
	struct nd_ipsec_ring ring = { 0 }, back;
	cJSON *j;
	const char *field = NULL;

	TAP_OK(t, nd_ipsec_ring_begin(&ring, 100) == 0 && ring.n == 1 && ring.keys[0].id == 1,
	       "first key has id 1");
	TAP_OK(t, ring.primary == 0, "a new key is not sent with yet");
	TAP_OK(t, nd_ipsec_ring_promote(&ring) == 0 && ring.primary == 1, "promote");
	TAP_OK(t, nd_ipsec_ring_promote(&ring) == -ENOENT, "promote twice: -ENOENT");
	TAP_OK(t, nd_ipsec_ring_begin(&ring, 200) == 0 && ring.keys[1].id == 2, "rotation: id 2");
	TAP_OK(t, memcmp(ring.keys[0].secret, ring.keys[1].secret, ND_IPSEC_SECRET_LEN),
	       "secrets come from the CSPRNG (two differ)");
	TAP_OK(t, nd_ipsec_ring_begin(&ring, 300) == -EBUSY, "no third key during a rotation");
	j = nd_ipsec_ring_to_json(&ring);
	TAP_OK(t,
	       j && nd_ipsec_ring_from_json(j, &back, &field) == 0 && back.n == 2 &&
		       back.primary == 1 && back.keys[1].created == 200 &&
		       !memcmp(back.keys[1].secret, ring.keys[1].secret, ND_IPSEC_SECRET_LEN),
	       "JSON round trip");
	cJSON_Delete(j);
	TAP_OK(t, nd_ipsec_ring_promote(&ring) == 0 && ring.primary == 2, "promote the new key");
	TAP_OK(t, nd_ipsec_ring_retire(&ring) == 1 && ring.n == 1 && ring.keys[0].id == 2,
	       "retire drops the old key");
	TAP_OK(t, nd_ipsec_ring_begin(&ring, 400) == 0 && ring.keys[1].id == 3,
	       "next rotation: id 3");
}

static void bad_json(struct tap *t, const char *text, const char *want_field)
{
	cJSON *j = cJSON_Parse(text);
	struct nd_ipsec_ring ring;
	const char *field = "";

	TAP_OK(t,
	       nd_ipsec_ring_from_json(j, &ring, &field) == -EINVAL && !strcmp(field, want_field),
	       "refused (%s): %s", want_field, text);
	cJSON_Delete(j);
}

#define SECRET "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\""

static void malformed(struct tap *t)
{
	bad_json(t, "[]", "(value)");
	bad_json(t, "{\"keys\":[]}", "primary");
	bad_json(t, "{\"primary\":1,\"keys\":[]}", "primary");
	bad_json(t, "{\"primary\":-1,\"keys\":[]}", "primary");
	bad_json(t, "{\"primary\":0,\"keys\":{}}", "keys");
	bad_json(t, "{\"primary\":0,\"keys\":[1,2,3]}", "keys");
	bad_json(t, "{\"primary\":0,\"keys\":[{\"id\":0,\"created\":1,\"secret\":" SECRET "}]}",
		 "keys[].id");
	bad_json(t, "{\"primary\":0,\"keys\":[{\"id\":1.5,\"created\":1,\"secret\":" SECRET "}]}",
		 "keys[].id");
	bad_json(t, "{\"primary\":0,\"keys\":[{\"id\":1,\"created\":1,\"secret\":\"AAAA\"}]}",
		 "keys[].secret");
	bad_json(t, "{\"primary\":0,\"keys\":[{\"id\":1,\"created\":1,\"secret\":\"!!\"}]}",
		 "keys[].secret");
	bad_json(t,
		 "{\"primary\":1,\"keys\":[{\"id\":1,\"created\":1,\"secret\":" SECRET
		 "},{\"id\":1,\"created\":1,\"secret\":" SECRET "}]}",
		 "keys[].id");
	bad_json(t, "{\"primary\":1,\"keys\":[{\"id\":1,\"secret\":" SECRET "}]}",
		 "keys[].created");
}

int main(void)
{
	struct tap t = { 0 };

	vectors(&t);
	identifiers(&t);
	ring_steps(&t);
	malformed(&t);
	return tap_done(&t);
}
