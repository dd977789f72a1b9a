// SPDX-License-Identifier: MIT
/* etcd's key space: range, put, delete and the compare-and-swap transactions built on txn. */
#include "etcd-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int nd_etcd_get(struct nd_etcd *e, const char *key, bool prefix, struct nd_etcd_kvs *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *req = etcd_key_object(key, prefix);
	struct etcd_buf out = { 0 };
	int r = etcd_call(e, "/v3/kv/range", req, &out);

	if (r >= 0)
		r = nd_etcd_parse_range(out.p, out.n, ret) < 0 ? -EPROTO : 0;
	free(out.p);
	return r;
}

static cJSON *put_object(const char *key, const char *value, int64_t lease)
{
	_cleanup_(cJSON_Deletep) cJSON *o = etcd_key_object(key, false);

	if (!o || !etcd_add_b64(o, "value", value) || (lease && !etcd_add_int64(o, "lease", lease)))
		return NULL;
	return steal_ptr(o);
}

int nd_etcd_put(struct nd_etcd *e, const char *key, const char *value, int64_t lease)
{
	_cleanup_(cJSON_Deletep) cJSON *req = put_object(key, value, lease);
	struct etcd_buf out = { 0 };
	int r = etcd_call(e, "/v3/kv/put", req, &out);

	free(out.p);
	return r;
}

/*
 * One compare of a txn: target (CREATE, MOD, VALUE) of key (every key under
 * it when prefix) against number, or against text for VALUE.
 */
static cJSON *compare(const char *key, bool prefix, const char *target, const char *result,
		      int64_t number, const char *text)
{
	_cleanup_(cJSON_Deletep) cJSON *c = etcd_key_object(key, prefix);
	const char *field = !strcmp(target, "MOD") ? "mod_revision" : "create_revision";

	if (!c || !cJSON_AddStringToObject(c, "target", target) ||
	    !cJSON_AddStringToObject(c, "result", result))
		return NULL;
	if (text ? !etcd_add_b64(c, "value", text) : !etcd_add_int64(c, field, number))
		return NULL;
	return steal_ptr(c);
}

/* Appends a compare to the array cmps; false when out of memory (or c is NULL). */
static bool compare_add(cJSON *cmps, cJSON *c)
{
	return c && cJSON_AddItemToArray(cmps, c);
}

/*
 * A txn: if every compare in cmps holds then op, else a range of key (what
 * is there instead). Takes cmps and op_body; *ret_ok, *ret_kvs.
 */
static int txn(struct nd_etcd *e, cJSON *cmps, const char *op, cJSON *op_body, const char *key,
	       bool *ret_ok, struct nd_etcd_kvs *ret_kvs)
{
	_cleanup_(cJSON_Deletep) cJSON *req = cJSON_CreateObject();
	_cleanup_(cJSON_Deletep) cJSON *c = cmps, *body = op_body;
	cJSON *succ, *fail, *item;
	struct etcd_buf out = { 0 };
	int r;

	if (!req || !c || !body || !cJSON_AddItemToObject(req, "compare", steal_ptr(c)))
		return -ENOMEM;
	if (!(succ = cJSON_AddArrayToObject(req, "success")) || !(item = cJSON_CreateObject()))
		return -ENOMEM;
	cJSON_AddItemToArray(succ, item);
	cJSON_AddItemToObject(item, op, steal_ptr(body));
	if (!(fail = cJSON_AddArrayToObject(req, "failure")) || !(item = cJSON_CreateObject()))
		return -ENOMEM;
	cJSON_AddItemToArray(fail, item);
	cJSON_AddItemToObject(item, "request_range", etcd_key_object(key, false));
	r = etcd_call(e, "/v3/kv/txn", req, &out);
	if (r >= 0)
		r = nd_etcd_parse_txn(out.p, out.n, ret_ok, ret_kvs) < 0 ? -EPROTO : 0;
	free(out.p);
	return r;
}

/* A txn of one compare. */
static int txn1(struct nd_etcd *e, cJSON *cmp, const char *op, cJSON *op_body, const char *key,
		bool *ret_ok, struct nd_etcd_kvs *ret_kvs)
{
	cJSON *cmps = cJSON_CreateArray();

	if (cmps && !compare_add(cmps, cmp)) {
		cJSON_Delete(cmps);
		cmps = NULL;
	} else if (!cmps) {
		cJSON_Delete(cmp);
	}
	return txn(e, cmps, op, op_body, key, ret_ok, ret_kvs);
}

int nd_etcd_create_if(struct nd_etcd *e, const char *key, const char *value, int64_t lease,
		      const struct nd_etcd_guard *guards, size_t n, char **ret_existing)
{
	cJSON *cmps = cJSON_CreateArray();
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false, built = cmps != NULL;
	int r;

	built = built && compare_add(cmps, compare(key, false, "CREATE", "EQUAL", 0, NULL));

	/* mod_revision < since + 1: a key never written has mod_revision 0. */
	for (size_t i = 0; built && i < n; i++)
		built = compare_add(cmps,
				    guards[i].value ?
					    compare(guards[i].key, false, "VALUE", "EQUAL", 0,
						    guards[i].value) :
					    compare(guards[i].key, guards[i].prefix, "MOD", "LESS",
						    guards[i].unchanged_since + 1, NULL));
	if (!built) {
		cJSON_Delete(cmps);
		cmps = NULL;
	}
	r = txn(e, cmps, "request_put", put_object(key, value, lease), key, &ok, &kvs);
	if (r >= 0 && !ok) {
		r = kvs.n ? -EEXIST : -ESTALE;
		if (kvs.n && ret_existing)
			*ret_existing = strdup(kvs.kv[0].value);
	}
	nd_etcd_kvs_clear(&kvs);
	return r;
}

int nd_etcd_create(struct nd_etcd *e, const char *key, const char *value, int64_t lease,
		   char **ret_existing)
{
	int r = nd_etcd_create_if(e, key, value, lease, NULL, 0, ret_existing);

	/* Without guards only the key itself fails the compare; a delete may race the range. */
	if (r == -ESTALE) {
		r = -EEXIST;
		if (ret_existing)
			*ret_existing = strdup("");
	}
	return r;
}

int nd_etcd_replace(struct nd_etcd *e, const char *key, const char *value, int64_t mod_revision)
{
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false;
	int r = txn1(e, compare(key, false, "MOD", "EQUAL", mod_revision, NULL), "request_put",
		     put_object(key, value, 0), key, &ok, &kvs);

	if (r >= 0 && !ok)
		r = -ESTALE;
	nd_etcd_kvs_clear(&kvs);
	return r;
}

int nd_etcd_delete(struct nd_etcd *e, const char *key, bool prefix)
{
	_cleanup_(cJSON_Deletep) cJSON *req = etcd_key_object(key, prefix);
	struct etcd_buf out = { 0 };
	int r = etcd_call(e, "/v3/kv/deleterange", req, &out);

	free(out.p);
	return r;
}

int nd_etcd_delete_value(struct nd_etcd *e, const char *key, const char *value)
{
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false;
	int r = txn1(e, compare(key, false, "VALUE", "EQUAL", 0, value), "request_delete_range",
		     etcd_key_object(key, false), key, &ok, &kvs);

	if (r >= 0 && !ok && kvs.n)
		r = -EEXIST;
	nd_etcd_kvs_clear(&kvs);
	return r;
}
