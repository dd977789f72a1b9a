// SPDX-License-Identifier: MIT
/*
 * A network's key ring in etcd, and the rotation run through it:
 *   <prefix>/ipsec/<net>/ring         the ring (JSON, secrets base64), replaced by
 *                                     compare-and-swap on its mod_revision
 *   <prefix>/ipsec/<net>/ack/<host>   "primary:newest" a host installed, under its lease
 *   <prefix>/ipsec/<net>/rotate       present: rotate now (on demand)
 */
#include "ipsec-store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "rundir.h"

static int key_of(const struct nd_etcd *e, const char *net, const char *leaf, char *buf,
		  size_t size)
{
	if (!nd_name_valid(net))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/ipsec/%s/%s", nd_etcd_prefix(e), net, leaf) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static void kvs_clearp(struct nd_etcd_kvs *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->kv[i].value)
			explicit_bzero(k->kv[i].value, k->kv[i].value_len);
	nd_etcd_kvs_clear(k);
}

/* One key of the network's: -ENOENT when it is not there. */
static int get_leaf(struct nd_etcd *e, const char *net, const char *leaf, struct nd_etcd_kvs *ret)
{
	char key[512];
	int r = key_of(e, net, leaf, key, sizeof(key));

	if (r >= 0)
		r = nd_etcd_get(e, key, false, ret);
	if (r < 0)
		return r;
	return ret->n ? 0 : -ENOENT;
}

int nd_ipsec_store_load(struct nd_etcd *e, const char *net, struct nd_ipsec_ring *ret,
			int64_t *ret_rev)
{
	_cleanup_(kvs_clearp) struct nd_etcd_kvs kvs = { 0 };
	_cleanup_(cJSON_Deletep) cJSON *j = NULL;
	int r = get_leaf(e, net, "ring", &kvs);

	if (r < 0)
		return r;
	j = cJSON_ParseWithLength(kvs.kv[0].value, kvs.kv[0].value_len);
	r = nd_ipsec_ring_from_json(j, ret, NULL);
	if (r < 0)
		return -EBADMSG; /* someone wrote a ring that does not parse: never guess keys */
	*ret_rev = kvs.kv[0].mod_revision;
	return 0;
}

static char *ring_text(const struct nd_ipsec_ring *ring)
{
	_cleanup_(cJSON_Deletep) cJSON *j = nd_ipsec_ring_to_json(ring);

	return j ? cJSON_PrintUnformatted(j) : NULL;
}

static void secret_freep(char **p)
{
	if (*p) {
		explicit_bzero(*p, strlen(*p));
		free(*p);
	}
}

int nd_ipsec_store_ensure(struct nd_etcd *e, const char *net, uint64_t now,
			  struct nd_ipsec_ring *ret)
{
	struct nd_ipsec_ring ring = { 0 };
	_cleanup_(secret_freep) char *text = NULL;
	char key[512];
	int64_t rev;
	int r = nd_ipsec_store_load(e, net, ret, &rev);

	if (r != -ENOENT)
		return r;
	r = nd_ipsec_ring_next(&ring, NULL, 0, false, now, 0);
	if (r >= 0)
		r = key_of(e, net, "ring", key, sizeof(key));
	text = r >= 0 ? ring_text(&ring) : NULL;
	nd_ipsec_ring_wipe(&ring);
	if (r >= 0 && !text)
		r = -ENOMEM;
	if (r >= 0)
		r = nd_etcd_create(e, key, text, 0, NULL);
	/* Created by us or by another host just now: theirs wins, read it. */
	if (r >= 0 || r == -EEXIST)
		r = nd_ipsec_store_load(e, net, ret, &rev);
	return r;
}

int nd_ipsec_store_ack(struct nd_etcd *e, const char *net, const char *host,
		       const struct nd_ipsec_ring *ring, int64_t lease)
{
	char key[512], leaf[128], state[ND_IPSEC_STATE_LEN];
	int r;

	if (!nd_name_valid(host))
		return -EINVAL;
	snprintf(leaf, sizeof(leaf), "ack/%s", host);
	r = key_of(e, net, leaf, key, sizeof(key));
	nd_ipsec_ring_state(ring, state);
	return r < 0 ? r : nd_etcd_put(e, key, state, lease);
}

int nd_ipsec_store_acked(struct nd_etcd *e, const char *net, const char *host, uint32_t *ret_newest)
{
	_cleanup_(kvs_clearp) struct nd_etcd_kvs kvs = { 0 };
	char leaf[128], state[ND_IPSEC_STATE_LEN];
	unsigned primary, newest;
	char extra;
	int r;

	if (!nd_name_valid(host))
		return -EINVAL;
	snprintf(leaf, sizeof(leaf), "ack/%s", host);
	r = get_leaf(e, net, leaf, &kvs);
	if (r < 0)
		return r;
	if (kvs.kv[0].value_len >= sizeof(state) ||
	    strspn(kvs.kv[0].value, "0123456789:") != kvs.kv[0].value_len)
		return -EBADMSG;
	memcpy(state, kvs.kv[0].value, kvs.kv[0].value_len);
	state[kvs.kv[0].value_len] = '\0';
	if (sscanf(state, "%u:%u%c", &primary, &newest, &extra) != 2)
		return -EBADMSG;
	*ret_newest = newest;
	return 0;
}

int nd_ipsec_store_request(struct nd_etcd *e, const char *net)
{
	char key[512];
	int r = key_of(e, net, "rotate", key, sizeof(key));

	return r < 0 ? r : nd_etcd_put(e, key, "1", 0);
}

/* Every host's ack, and whether a rotation is asked for. */
static int read_acks(struct nd_etcd *e, const char *net, struct nd_strv *acks, bool *requested)
{
	_cleanup_(kvs_clearp) struct nd_etcd_kvs kvs = { 0 };
	char key[512];
	int r = key_of(e, net, "", key, sizeof(key));

	if (r >= 0)
		r = nd_etcd_get(e, key, true, &kvs);
	for (size_t i = 0; r >= 0 && i < kvs.n; i++) {
		const char *leaf = kvs.kv[i].key + strlen(key);

		if (!strncmp(leaf, "ack/", 4))
			r = nd_strv_push(acks, kvs.kv[i].value);
		else if (!strcmp(leaf, "rotate"))
			*requested = true;
	}
	return r;
}

int nd_ipsec_store_advance(struct nd_etcd *e, const char *net, uint64_t now, uint64_t interval)
{
	struct nd_ipsec_ring ring = { 0 };
	_cleanup_(secret_freep) char *text = NULL;
	struct nd_strv acks = { 0 };
	bool requested = false;
	char key[512];
	int64_t rev;
	int step, r = nd_ipsec_store_load(e, net, &ring, &rev);

	if (r >= 0)
		r = read_acks(e, net, &acks, &requested);
	step = r < 0 ? r :
		       nd_ipsec_ring_next(&ring, (const char *const *)acks.v, acks.n, requested,
					  now, interval);
	nd_strv_clear(&acks);
	text = step > 0 ? ring_text(&ring) : NULL;
	nd_ipsec_ring_wipe(&ring);
	if (step <= 0)
		return step;
	r = text ? key_of(e, net, "ring", key, sizeof(key)) : -ENOMEM;
	/* Another host advanced it first: its step stands, ours is dropped. */
	if (r >= 0)
		r = nd_etcd_replace(e, key, text, rev);
	if (r == -ESTALE)
		return ND_IPSEC_STEP_NONE;
	if (r >= 0 && step == ND_IPSEC_STEP_BEGIN && requested &&
	    key_of(e, net, "rotate", key, sizeof(key)) >= 0)
		r = nd_etcd_delete(e, key, false);
	return r < 0 ? r : step;
}
