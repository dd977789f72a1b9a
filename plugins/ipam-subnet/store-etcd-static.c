// SPDX-License-Identifier: MIT
/* Static addresses (--ip): claimed cluster-wide, given back at DEL or GC. */
#include "store-etcd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"

static char *holder_value(const char *host, const char *cid, const char *ifname)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();

	if (!j || !cJSON_AddStringToObject(j, "host", host) ||
	    !cJSON_AddStringToObject(j, "containerID", cid) ||
	    !cJSON_AddStringToObject(j, "ifname", ifname))
		return NULL;
	return cJSON_PrintUnformatted(j);
}

static void holder_parse(const char *text, struct ipam_holder *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_Parse(text);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(j, "host"),
		    *c = cJSON_GetObjectItemCaseSensitive(j, "containerID"),
		    *i = cJSON_GetObjectItemCaseSensitive(j, "ifname");

	*ret = (struct ipam_holder){ 0 };
	snprintf(ret->host, sizeof(ret->host), "%s", cJSON_IsString(h) ? h->valuestring : "?");
	snprintf(ret->att.container_id, sizeof(ret->att.container_id), "%s",
		 cJSON_IsString(c) ? c->valuestring : "?");
	snprintf(ret->att.ifname, sizeof(ret->att.ifname), "%s",
		 cJSON_IsString(i) ? i->valuestring : "?");
}

static void static_remember(struct ipam_cluster *cl, const struct nd_addr *a, bool on)
{
	for (size_t i = 0; i < cl->n_statics; i++) {
		if (!nd_addr_equal(&cl->statics[i], a))
			continue;
		if (!on) {
			cl->statics[i] = cl->statics[--cl->n_statics];
			cl->dirty = true;
		}
		return;
	}
	if (on && cl->n_statics < MAX_STATICS) {
		cl->statics[cl->n_statics++] = *a;
		cl->dirty = true;
	}
}

/*
 * Who holds block b of a static address: 0 when it is free or ours (adopted
 * when the cache had lost it), -EEXIST with *ret naming the host.
 */
static int block_holder(struct ipam_cluster *cl, struct nd_etcd *e, const struct nd_prefix *b,
			struct ipam_holder *ret)
{
	struct nd_etcd_kvs kvs = { 0 };
	char key[KEY_MAX];
	int rc;

	cluster_block_key(cl, b, key);
	rc = nd_etcd_get(e, key, false, &kvs);
	if (rc >= 0 && kvs.n && !strcmp(kvs.kv[0].value, cl->host)) {
		cluster_adopt(cl, b);
	} else if (rc >= 0 && kvs.n) {
		*ret = (struct ipam_holder){ 0 };
		snprintf(ret->host, sizeof(ret->host), "%.63s", kvs.kv[0].value);
		nd_prefix_to_str(b, ret->block);
		rc = -EEXIST;
	}
	nd_etcd_kvs_clear(&kvs);
	return rc;
}

/*
 * The claim of ips/<a> holds only while a's block is free or this host's,
 * checked in the same txn: a static address inside another host's block
 * would collide with that host's next dynamic one.
 */
int ipam_cluster_claim(struct ipam_cluster *cl, const struct nd_addr *a, unsigned subnet_len,
		       const char *cid, const char *ifname, struct ipam_holder *ret_holder)
{
	_cleanup_(freep) char *value = holder_value(cl->host, cid, ifname);
	struct ipam_range r = { .subnet = { .addr = *a, .len = (uint8_t)subnet_len } };
	struct nd_prefix b = cluster_block_of(cl, &r, a);
	struct nd_etcd *e;
	char key[KEY_MAX], bkey[KEY_MAX];
	int rc = cluster_client(cl, &e);

	if (!value)
		return -ENOMEM;
	cluster_static_key(cl, a, key);
	cluster_block_key(cl, &b, bkey);
	for (int tries = 0; rc >= 0; tries++) {
		_cleanup_(freep) char *theirs = NULL;
		struct nd_etcd_guard block_free_or_mine = { .key = bkey };

		if (cluster_mine(cl, &b))
			block_free_or_mine.value = cl->host;
		rc = nd_etcd_create_if(e, key, value, 0, &block_free_or_mine, 1, &theirs);
		if (rc == -EEXIST && !strcmp(theirs, value))
			rc = 0; /* a repeated ADD of the same attachment */
		else if (rc == -EEXIST)
			holder_parse(theirs, ret_holder);
		if (rc != -ESTALE)
			break;
		/* The block changed hands since the cache was written: who has it now? */
		rc = tries >= MAX_REREADS ? -EAGAIN : block_holder(cl, e, &b, ret_holder);
	}
	if (rc < 0)
		return cluster_failed(cl, rc);
	static_remember(cl, a, true);
	return 0;
}

void ipam_cluster_release(struct ipam_cluster *cl, const struct nd_addr *addrs, size_t n,
			  const char *cid, const char *ifname)
{
	_cleanup_(freep) char *value = holder_value(cl->host, cid, ifname);
	struct nd_etcd *e;
	char key[KEY_MAX], s[ND_ADDR_STRLEN];

	for (size_t i = 0; value && i < n; i++) {
		bool claimed = false;
		int rc;

		for (size_t j = 0; j < cl->n_statics && !claimed; j++)
			claimed = nd_addr_equal(&cl->statics[j], &addrs[i]);
		if (!claimed)
			continue; /* a dynamic address: its block stays this host's */
		cluster_static_key(cl, &addrs[i], key);
		rc = cluster_client(cl, &e);
		if (rc >= 0)
			rc = nd_etcd_delete_value(e, key, value);
		if (rc < 0 && rc != -EEXIST) {
			nd_warn("ipam %s: static %s stays claimed in etcd until GC: %s", cl->net,
				nd_addr_to_str(&addrs[i], s), strerror(-rc));
			continue;
		}
		static_remember(cl, &addrs[i], false);
	}
}

/* A static claim whose lease went (the owner was collected) is given back. */
void cluster_statics_gc(struct ipam_cluster *cl, struct nd_etcd *e, struct ipam_store *s)
{
	for (size_t i = 0; i < cl->n_statics;) {
		struct nd_etcd_kvs kvs = { 0 };
		struct cni_attachment holder;
		struct ipam_holder h;
		char key[KEY_MAX];
		int rc = 0;

		if (ipam_store_holder(s, &cl->statics[i], &holder) == 0) {
			i++;
			continue;
		}
		cluster_static_key(cl, &cl->statics[i], key);
		rc = nd_etcd_get(e, key, false, &kvs);
		if (rc >= 0 && kvs.n) {
			holder_parse(kvs.kv[0].value, &h);
			if (!strcmp(h.host, cl->host))
				rc = nd_etcd_delete_value(e, key, kvs.kv[0].value);
		}
		nd_etcd_kvs_clear(&kvs);
		if (rc < 0 && rc != -EEXIST) {
			i++;
			continue;
		}
		static_remember(cl, &cl->statics[i], false); /* moves the last one here */
	}
}
