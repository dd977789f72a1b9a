// SPDX-License-Identifier: MIT
/* A network's key ring: new keys from the kernel's CSPRNG, rotation steps, its etcd JSON. */
#include "ipsec.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/random.h>

#include "base64.h"
#include "cleanup.h"

uint32_t nd_ipsec_ring_newest(const struct nd_ipsec_ring *ring)
{
	uint32_t id = 0;

	for (size_t i = 0; i < ring->n; i++)
		if (ring->keys[i].id > id)
			id = ring->keys[i].id;
	return id;
}

/* getrandom() hands out up to 256 bytes whole once the pool is ready (it blocks before). */
static int random_fill(uint8_t *p, size_t len)
{
	ssize_t n;

	do
		n = getrandom(p, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Full: a rotation is still under way (its old key not yet retired). */
int nd_ipsec_ring_begin(struct nd_ipsec_ring *ring, uint64_t now)
{
	struct nd_ipsec_key *k;
	int r;

	if (ring->n >= ND_IPSEC_MAX_KEYS)
		return -EBUSY;
	k = &ring->keys[ring->n];
	k->id = nd_ipsec_ring_newest(ring) + 1;
	k->created = now;
	r = random_fill(k->secret, sizeof(k->secret));
	if (r < 0) {
		explicit_bzero(k, sizeof(*k));
		return r;
	}
	ring->n++;
	return 0;
}

int nd_ipsec_ring_promote(struct nd_ipsec_ring *ring)
{
	uint32_t id = nd_ipsec_ring_newest(ring);

	if (!id || id == ring->primary)
		return -ENOENT;
	ring->primary = id;
	return 0;
}

int nd_ipsec_ring_retire(struct nd_ipsec_ring *ring)
{
	size_t kept = 0;
	int gone = 0;

	for (size_t i = 0; i < ring->n; i++) {
		if (ring->keys[i].id != ring->primary) {
			gone++;
			continue;
		}
		if (kept != i)
			ring->keys[kept] = ring->keys[i];
		kept++;
	}
	for (size_t i = kept; i < ring->n; i++)
		explicit_bzero(&ring->keys[i], sizeof(ring->keys[i]));
	ring->n = kept;
	return gone;
}

const struct nd_ipsec_key *nd_ipsec_ring_find(const struct nd_ipsec_ring *ring, uint32_t id)
{
	for (size_t i = 0; i < ring->n; i++)
		if (ring->keys[i].id == id)
			return &ring->keys[i];
	return NULL;
}

void nd_ipsec_ring_wipe(struct nd_ipsec_ring *ring)
{
	explicit_bzero(ring, sizeof(*ring));
}

static cJSON *key_to_json(const struct nd_ipsec_key *k)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *b64 = nd_base64_encode(k->secret, sizeof(k->secret));

	if (!o || !b64 || !cJSON_AddNumberToObject(o, "id", k->id) ||
	    !cJSON_AddNumberToObject(o, "created", (double)k->created) ||
	    !cJSON_AddStringToObject(o, "secret", b64)) {
		if (b64)
			explicit_bzero(b64, strlen(b64));
		return NULL;
	}
	explicit_bzero(b64, strlen(b64));
	return steal_ptr(o);
}

cJSON *nd_ipsec_ring_to_json(const struct nd_ipsec_ring *ring)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	cJSON *keys = o ? cJSON_AddArrayToObject(o, "keys") : NULL;

	if (!keys || !cJSON_AddNumberToObject(o, "primary", ring->primary))
		return NULL;
	for (size_t i = 0; i < ring->n; i++) {
		cJSON *k = key_to_json(&ring->keys[i]);

		if (!k || !cJSON_AddItemToArray(keys, k)) {
			cJSON_Delete(k);
			return NULL;
		}
	}
	return steal_ptr(o);
}

/* A whole number in [min, max], else false. */
static bool get_uint(const cJSON *o, const char *name, double max, double *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > max ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*ret = v->valuedouble;
	return true;
}

static int key_from_json(const cJSON *o, struct nd_ipsec_key *k, const char **ret_field)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "secret");
	_cleanup_(freep) char *raw = NULL;
	double id, created;
	size_t len = 0;

	if (!get_uint(o, "id", 4294967295.0, &id) || id < 1)
		return *ret_field = "keys[].id", -EINVAL;
	if (!get_uint(o, "created", 1e15, &created))
		return *ret_field = "keys[].created", -EINVAL;
	if (!cJSON_IsString(s) || nd_base64_decode(s->valuestring, &raw, &len) < 0 ||
	    len != sizeof(k->secret)) {
		if (raw)
			explicit_bzero(raw, len);
		return *ret_field = "keys[].secret", -EINVAL;
	}
	k->id = (uint32_t)id;
	k->created = (uint64_t)created;
	memcpy(k->secret, raw, sizeof(k->secret));
	explicit_bzero(raw, len);
	return 0;
}

int nd_ipsec_ring_from_json(const cJSON *j, struct nd_ipsec_ring *ret, const char **ret_field)
{
	const cJSON *keys = cJSON_GetObjectItemCaseSensitive(j, "keys"), *k;
	struct nd_ipsec_ring ring = { 0 };
	const char *field = "";
	double primary;
	int r = 0;

	if (!cJSON_IsObject(j))
		field = "(value)", r = -EINVAL;
	else if (!get_uint(j, "primary", 4294967295.0, &primary))
		field = "primary", r = -EINVAL;
	else if (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) > ND_IPSEC_MAX_KEYS)
		field = "keys", r = -EINVAL;
	if (r < 0)
		keys = NULL;
	cJSON_ArrayForEach(k, keys)
	{
		r = key_from_json(k, &ring.keys[ring.n], &field);
		if (r < 0)
			break;
		if (nd_ipsec_ring_find(&ring, ring.keys[ring.n].id)) {
			field = "keys[].id", r = -EINVAL;
			break;
		}
		ring.n++;
	}
	if (r >= 0) {
		ring.primary = (uint32_t)primary;
		if (ring.primary && !nd_ipsec_ring_find(&ring, ring.primary))
			field = "primary", r = -EINVAL;
	}
	if (r < 0) {
		nd_ipsec_ring_wipe(&ring);
		if (ret_field)
			*ret_field = field;
		return r;
	}
	*ret = ring;
	nd_ipsec_ring_wipe(&ring);
	return 0;
}

void nd_ipsec_ring_state(const struct nd_ipsec_ring *ring, char buf[ND_IPSEC_STATE_LEN])
{
	snprintf(buf, ND_IPSEC_STATE_LEN, "%u:%u", ring->primary, nd_ipsec_ring_newest(ring));
}

static bool all_acked(const struct nd_ipsec_ring *ring, const char *const *acks, size_t n_acks)
{
	char want[ND_IPSEC_STATE_LEN];

	nd_ipsec_ring_state(ring, want);
	for (size_t i = 0; i < n_acks; i++)
		if (strcmp(acks[i], want))
			return false;
	return true;
}

int nd_ipsec_ring_next(struct nd_ipsec_ring *ring, const char *const *acks, size_t n_acks,
		       bool requested, uint64_t now, uint64_t interval)
{
	const struct nd_ipsec_key *p = nd_ipsec_ring_find(ring, ring->primary);
	int r;

	if (!p) {
		/* No key yet: the first one is sent with at once (no host has an older one). */
		r = nd_ipsec_ring_begin(ring, now);
		return r < 0 ? r : nd_ipsec_ring_promote(ring) < 0 ? -EINVAL : ND_IPSEC_STEP_FIRST;
	}
	if (!all_acked(ring, acks, n_acks))
		return ND_IPSEC_STEP_NONE;
	if (ring->n == 1) {
		if (!requested && now < p->created + interval)
			return ND_IPSEC_STEP_NONE;
		r = nd_ipsec_ring_begin(ring, now);
		return r < 0 ? r : ND_IPSEC_STEP_BEGIN;
	}
	if (nd_ipsec_ring_newest(ring) != ring->primary)
		return nd_ipsec_ring_promote(ring) < 0 ? -EINVAL : ND_IPSEC_STEP_PROMOTE;
	return nd_ipsec_ring_retire(ring) < 0 ? -EINVAL : ND_IPSEC_STEP_RETIRE;
}
