// SPDX-License-Identifier: MIT
/*
 * Cluster-wide IPAM over etcd: address blocks claimed per host with one
 * compare-and-create, static addresses claimed cluster-wide, all under
 * <prefix>/ipam/<net>/ (blocks/<addr>-<len> = host, ips/<addr> = holder).
 * This host's blocks are cached in the lib dir (ipam-blocks/<net>.json), so
 * an ADD that fits in them sends nothing.
 */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cleanup.h"
#include "conf.h"
#include "etcd-conf.h"
#include "log.h"
#include "overlay-record.h"
#include "rundir.h"

#define MAX_BLOCKS 1024
#define MAX_STATICS 1024
#define KEY_MAX (CNI_MAX_NAME + 256)
/* Claims retried after a concurrent writer changed what they were decided on. */
#define MAX_REREADS 32

struct ipam_cluster {
	struct nd_etcd_conf conf;
	struct nd_etcd *e; /* opened on the first request */
	char host[64];
	char net[CNI_MAX_NAME];
	unsigned block4, block6; /* block prefix lengths */
	int cache_fd;
	struct nd_prefix blocks[MAX_BLOCKS];
	size_t n_blocks;
	struct nd_addr statics[MAX_STATICS]; /* claimed by this host */
	size_t n_statics;
	bool dirty;
	char tried[1024];
};

static int cache_load(struct ipam_cluster *cl)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(cJSON_Deletep) cJSON *j = NULL;
	const cJSON *it;
	char name[CNI_MAX_NAME + 8];
	size_t len;

	snprintf(name, sizeof(name), "%s.json", cl->net);
	if (nd_file_read(cl->cache_fd, name, 1u << 20, &text, &len) < 0)
		return 0; /* none yet */
	j = cJSON_ParseWithLength(text, len);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "blocks"))
	{
		struct nd_prefix p;

		if (cJSON_IsString(it) && cl->n_blocks < MAX_BLOCKS &&
		    nd_prefix_parse(it->valuestring, &p) == 0)
			cl->blocks[cl->n_blocks++] = p;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(j, "statics"))
	{
		struct nd_addr a;

		if (cJSON_IsString(it) && cl->n_statics < MAX_STATICS &&
		    nd_addr_parse(it->valuestring, &a) == 0)
			cl->statics[cl->n_statics++] = a;
	}
	return 0;
}

static int cache_save(struct ipam_cluster *cl)
{
	_cleanup_(cJSON_Deletep) cJSON *j = cJSON_CreateObject();
	_cleanup_(freep) char *text = NULL;
	cJSON *b = j ? cJSON_AddArrayToObject(j, "blocks") : NULL;
	cJSON *s = j ? cJSON_AddArrayToObject(j, "statics") : NULL;
	char name[CNI_MAX_NAME + 8], buf[ND_PREFIX_STRLEN];

	if (!b || !s)
		return -ENOMEM;
	for (size_t i = 0; i < cl->n_blocks; i++)
		cJSON_AddItemToArray(b, cJSON_CreateString(nd_prefix_to_str(&cl->blocks[i], buf)));
	for (size_t i = 0; i < cl->n_statics; i++)
		cJSON_AddItemToArray(s, cJSON_CreateString(nd_addr_to_str(&cl->statics[i], buf)));
	text = cJSON_PrintUnformatted(j);
	if (!text)
		return -ENOMEM;
	snprintf(name, sizeof(name), "%s.json", cl->net);
	return nd_file_replace(cl->cache_fd, name, text, strlen(text));
}

static int parse_block_size(struct cni_ctx *ctx, struct ipam_cluster *cl)
{
	const cJSON *ipam = cJSON_GetObjectItemCaseSensitive(ctx->conf, "ipam");
	unsigned len = 0;
	int r = nd_conf_uint(ctx, ipam, "ipam", "blockSize", 1, 128, &len);

	cl->block4 = 26; /* 64 addresses: a host's first 62 containers in one claim */
	cl->block6 = 122;
	if (r >= 0 && len) {
		cl->block6 = len;
		cl->block4 = len > 32 ? 26 : len;
	}
	return r;
}

int ipam_cluster_open(struct cni_ctx *ctx, const char *lib_dir, struct ipam_cluster **ret)
{
	_cleanup_(ipam_cluster_closep) struct ipam_cluster *cl = NULL;
	_cleanup_(closep) int lib = -1;
	const char *path;
	const cJSON *store = nd_etcd_conf_find(ctx->conf, &path);
	int r;

	*ret = NULL;
	if (!store)
		return 0;
	if (!cJSON_IsObject(store))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL, "%s must be an object", path);
	cl = calloc(1, sizeof(*cl));
	if (!cl)
		return -ENOMEM;
	cl->cache_fd = -1;
	r = nd_etcd_conf_parse(ctx, store, path, &cl->conf);
	if (r >= 0)
		r = parse_block_size(ctx, cl);
	if (r < 0)
		return r;
	nd_host_name(cl->host);
	snprintf(cl->net, sizeof(cl->net), "%s", ctx->net_name);
	lib = nd_dir_open(lib_dir, true);
	cl->cache_fd = lib < 0 ? lib : nd_subdir_open(lib, "ipam-blocks", true);
	if (cl->cache_fd < 0)
		return cni_fail(ctx, CNI_ERR_IO, cl->cache_fd, "ipam: %s/ipam-blocks: %s", lib_dir,
				strerror(-cl->cache_fd));
	cache_load(cl);
	*ret = steal_ptr(cl);
	return 0;
}

void ipam_cluster_close(struct ipam_cluster *cl)
{
	if (!cl)
		return;
	if (cl->dirty && cache_save(cl) < 0)
		nd_err("ipam: could not save the block cache of %s", cl->net);
	/* The benchmark counts these lines: a block with room means none. */
	if (cl->e && nd_etcd_requests(cl->e))
		nd_info("ipam %s: %lu etcd requests", cl->net, nd_etcd_requests(cl->e));
	nd_etcd_close(cl->e);
	nd_etcd_conf_clear(&cl->conf);
	if (cl->cache_fd >= 0)
		close(cl->cache_fd);
	free(cl);
}

const char *ipam_cluster_tried(const struct ipam_cluster *cl)
{
	return cl->tried;
}

static int client(struct ipam_cluster *cl, struct nd_etcd **ret)
{
	int r = 0;

	if (!cl->e)
		r = nd_etcd_open(&cl->conf, &cl->e);
	*ret = cl->e;
	return r;
}

/* Keeps what the failed request tried, for the CNI error message. */
static int failed(struct ipam_cluster *cl, int r)
{
	if (r == -EHOSTUNREACH && cl->e)
		snprintf(cl->tried, sizeof(cl->tried), "%s", nd_etcd_tried(cl->e));
	return r;
}

static struct nd_prefix block_of(const struct ipam_cluster *cl, const struct ipam_range *r,
				 const struct nd_addr *a)
{
	unsigned len = a->family == AF_INET6 ? cl->block6 : cl->block4;
	struct nd_prefix p = { .addr = *a, .len = len < r->subnet.len ? r->subnet.len : len };

	return nd_prefix_network(&p);
}

static void block_key(const struct ipam_cluster *cl, const struct nd_prefix *b, char *buf)
{
	char a[ND_ADDR_STRLEN];

	snprintf(buf, KEY_MAX, "%s/ipam/%s/blocks/%s-%u", cl->conf.prefix, cl->net,
		 nd_addr_to_str(&b->addr, a), b->len);
}

static void static_key(const struct ipam_cluster *cl, const struct nd_addr *a, char *buf)
{
	char s[ND_ADDR_STRLEN];

	snprintf(buf, KEY_MAX, "%s/ipam/%s/ips/%s", cl->conf.prefix, cl->net, nd_addr_to_str(a, s));
}

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

/* The part of range r inside block b. False when they do not meet. */
static bool sub_range(const struct ipam_range *r, const struct nd_prefix *b, struct ipam_range *ret)
{
	struct nd_addr last = nd_prefix_last(b);

	if (b->addr.family != r->subnet.addr.family || !nd_prefix_contains(&r->subnet, &b->addr) ||
	    nd_addr_cmp(&last, &r->first) < 0 || nd_addr_cmp(&b->addr, &r->last) > 0)
		return false;
	*ret = *r;
	if (nd_addr_cmp(&b->addr, &r->first) > 0)
		ret->first = b->addr;
	if (nd_addr_cmp(&last, &r->last) < 0)
		ret->last = last;
	return true;
}

static bool mine(const struct ipam_cluster *cl, const struct nd_prefix *b)
{
	for (size_t i = 0; i < cl->n_blocks; i++)
		if (cl->blocks[i].len == b->len && nd_addr_equal(&cl->blocks[i].addr, &b->addr))
			return true;
	return false;
}

static void adopt(struct ipam_cluster *cl, const struct nd_prefix *b)
{
	if (cl->n_blocks < MAX_BLOCKS && !mine(cl, b)) {
		cl->blocks[cl->n_blocks++] = *b;
		cl->dirty = true;
	}
}

/* What etcd says about block b: 1 free, 0 ours, -EBUSY another host's or holds a static. */
static int block_state(const struct ipam_cluster *cl, const struct nd_etcd_kvs *kvs,
		       const struct nd_prefix *b)
{
	char key[KEY_MAX], ips[KEY_MAX];

	block_key(cl, b, key);
	snprintf(ips, sizeof(ips), "%s/ipam/%s/ips/", cl->conf.prefix, cl->net);
	for (size_t i = 0; i < kvs->n; i++) {
		struct nd_addr a;

		if (!strcmp(kvs->kv[i].key, key))
			return strcmp(kvs->kv[i].value, cl->host) ? -EBUSY : 0;
		/* A block with a static address in it stays unclaimed: its holder took it first. */
		if (!strncmp(kvs->kv[i].key, ips, strlen(ips)) &&
		    nd_addr_parse(kvs->kv[i].key + strlen(ips), &a) == 0 &&
		    nd_prefix_contains(b, &a))
			return -EBUSY;
	}
	return 1;
}

static bool next_block(const struct ipam_range *r, struct nd_prefix *b)
{
	struct nd_addr next = nd_addr_add(&b->addr, nd_prefix_size(b));

	if (nd_addr_cmp(&next, &b->addr) <= 0)
		return false; /* wrapped at the end of the address space */
	b->addr = next;
	return nd_addr_cmp(&b->addr, &r->last) <= 0 && nd_prefix_contains(&r->subnet, &b->addr);
}

/* From *b on, the first block of r that is free (1) or ours in etcd only (0); else -ENOSPC. */
static int first_free(const struct ipam_cluster *cl, const struct nd_etcd_kvs *kvs,
		      const struct ipam_range *r, struct nd_prefix *b)
{
	do {
		int st = mine(cl, b) ? -EBUSY : block_state(cl, kvs, b);

		if (st >= 0)
			return st;
	} while (next_block(r, b));
	return -ENOSPC;
}

static int read_all(struct ipam_cluster *cl, struct nd_etcd **e, struct nd_etcd_kvs *ret)
{
	char all[KEY_MAX];
	int rc = client(cl, e);

	snprintf(all, sizeof(all), "%s/ipam/%s/", cl->conf.prefix, cl->net);
	if (rc >= 0)
		rc = nd_etcd_get(*e, all, true, ret);
	return rc < 0 ? failed(cl, rc) : 0;
}

/*
 * Claims the first free block of r: 0 and *ret, -ENOSPC, or an etcd error.
 * The choice rests on one read of the network's keys; the claim holds only
 * while no static address was claimed since that read, else the choice is
 * made again: a static address and a block holding it never both succeed.
 */
static int claim_block(struct ipam_cluster *cl, const struct ipam_range *r, struct nd_prefix *ret)
{
	struct nd_etcd_kvs kvs = { 0 };
	struct nd_etcd *e = NULL;
	struct nd_prefix b = block_of(cl, r, &r->first);
	char key[KEY_MAX], ips[KEY_MAX];
	int st, rereads = 0, rc = read_all(cl, &e, &kvs);

	snprintf(ips, sizeof(ips), "%s/ipam/%s/ips/", cl->conf.prefix, cl->net);
	while (rc >= 0) {
		struct nd_etcd_guard no_new_static = { .key = ips,
						       .prefix = true,
						       .unchanged_since = kvs.revision };

		st = first_free(cl, &kvs, r, &b);
		if (st <= 0) {
			/* 0: ours in etcd but not in the cache (lib dir lost): taken back. */
			rc = st;
			break;
		}
		block_key(cl, &b, key);
		rc = nd_etcd_create_if(e, key, cl->host, 0, &no_new_static, 1, NULL);
		if (rc == -EEXIST) {
			rc = next_block(r, &b) ? 0 : -ENOSPC; /* another host was first */
		} else if (rc == -ESTALE) {
			nd_etcd_kvs_clear(&kvs);
			rc = ++rereads > MAX_REREADS ? -EAGAIN : read_all(cl, &e, &kvs);
		} else {
			break;
		}
	}
	nd_etcd_kvs_clear(&kvs);
	if (rc < 0)
		return failed(cl, rc);
	adopt(cl, &b);
	*ret = b;
	return 0;
}

int ipam_cluster_allocate(struct ipam_cluster *cl, struct ipam_store *s, const struct ipam_range *r,
			  const char *cid, const char *ifname, ipam_intent_fn intent, void *data,
			  struct nd_addr *ret)
{
	struct ipam_range sub;
	struct nd_prefix b;
	int e;

	for (size_t i = 0; i < cl->n_blocks; i++) {
		if (!sub_range(r, &cl->blocks[i], &sub))
			continue;
		e = ipam_store_allocate(s, &sub, cid, ifname, intent, data, ret);
		if (e != -ENOSPC)
			return e;
	}
	/* Every block here is full: one more from etcd (a block of only reserved addresses: the next). */
	for (int tries = 0; tries < 64; tries++) {
		e = claim_block(cl, r, &b);
		if (e < 0)
			return e;
		nd_info("ipam %s: host %s claimed block %s/%u", cl->net, cl->host,
			nd_addr_to_str(&b.addr, (char[ND_ADDR_STRLEN]){ 0 }), b.len);
		if (!sub_range(r, &b, &sub))
			continue;
		e = ipam_store_allocate(s, &sub, cid, ifname, intent, data, ret);
		if (e != -ENOSPC)
			return e;
	}
	return -ENOSPC;
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

	block_key(cl, b, key);
	rc = nd_etcd_get(e, key, false, &kvs);
	if (rc >= 0 && kvs.n && !strcmp(kvs.kv[0].value, cl->host)) {
		adopt(cl, b);
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
	struct nd_prefix b = block_of(cl, &r, a);
	struct nd_etcd *e;
	char key[KEY_MAX], bkey[KEY_MAX];
	int rc = client(cl, &e);

	if (!value)
		return -ENOMEM;
	static_key(cl, a, key);
	block_key(cl, &b, bkey);
	for (int tries = 0; rc >= 0; tries++) {
		_cleanup_(freep) char *theirs = NULL;
		struct nd_etcd_guard block_free_or_mine = { .key = bkey };

		if (mine(cl, &b))
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
		return failed(cl, rc);
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
		static_key(cl, &addrs[i], key);
		rc = client(cl, &e);
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

int ipam_cluster_has_room(struct ipam_cluster *cl, struct ipam_store *s, const struct ipam_range *r)
{
	struct nd_etcd_kvs kvs = { 0 };
	struct nd_etcd *e = NULL;
	struct nd_prefix b = block_of(cl, r, &r->first);
	struct ipam_range sub;
	int rc;

	for (size_t i = 0; i < cl->n_blocks; i++)
		if (sub_range(r, &cl->blocks[i], &sub) && ipam_store_has_room(s, &sub) > 0)
			return 1;
	rc = read_all(cl, &e, &kvs);
	if (rc >= 0)
		rc = first_free(cl, &kvs, r, &b) >= 0 ? 1 : 0;
	nd_etcd_kvs_clear(&kvs);
	return rc;
}

static bool block_leased(const struct nd_prefix *b, const struct nd_addr *leased, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (nd_prefix_contains(b, &leased[i]))
			return true;
	return false;
}

/* Every address leased here, into a new array; returns the count. */
static int leased_addrs(struct ipam_store *s, struct nd_addr **ret)
{
	_cleanup_(freep) struct cni_attachment *owners = NULL;
	_cleanup_(freep) struct nd_addr *all = NULL;
	int n = ipam_store_owners(s, &owners), total = 0;

	if (n < 0)
		return n;
	all = calloc((size_t)n * CNI_MAX_IPS + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int k = ipam_store_owned(s, owners[i].container_id, owners[i].ifname, all + total,
					 CNI_MAX_IPS);

		total += k > 0 ? k : 0;
	}
	*ret = steal_ptr(all);
	return total;
}

/* A static claim whose lease went (the owner was collected) is given back. */
static void gc_statics(struct ipam_cluster *cl, struct nd_etcd *e, struct ipam_store *s)
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
		static_key(cl, &cl->statics[i], key);
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

int ipam_cluster_gc(struct ipam_cluster *cl, struct ipam_store *s,
		    const struct cni_attachment *keep, size_t n)
{
	_cleanup_(freep) struct nd_addr *leased = NULL;
	struct nd_etcd *e = NULL;
	char key[KEY_MAX];
	int k = leased_addrs(s, &leased), rc = client(cl, &e);

	if (k < 0 || rc < 0)
		return k < 0 ? k : rc;
	for (size_t i = 0; i < cl->n_blocks;) {
		if (block_leased(&cl->blocks[i], leased, (size_t)k)) {
			i++;
			continue;
		}
		block_key(cl, &cl->blocks[i], key);
		rc = nd_etcd_delete_value(e, key, cl->host);
		if (rc < 0 && rc != -EEXIST)
			return failed(cl, rc); /* etcd away: the next GC releases it */
		nd_info("ipam %s: host %s released block %s", cl->net, cl->host, key);
		cl->blocks[i] = cl->blocks[--cl->n_blocks];
		cl->dirty = true;
	}
	gc_statics(cl, e, s);
	return 0;
}
