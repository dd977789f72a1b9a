// SPDX-License-Identifier: MIT
/* The etcd gateway's JSON answers: every field type-checked, every length bounded. */
#include "etcd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

#define KVS_MAX 1000000u

void nd_etcd_kvs_clear(struct nd_etcd_kvs *kvs)
{
	for (size_t i = 0; i < kvs->n; i++) {
		free(kvs->kv[i].key);
		free(kvs->kv[i].value);
	}
	free(kvs->kv);
	*kvs = (struct nd_etcd_kvs){ 0 };
}

/* int64 fields come as decimal strings (proto3 JSON), sometimes as numbers. */
static int int64_of(const cJSON *obj, const char *name, int64_t *ret)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	char *end;

	*ret = 0;
	if (!v)
		return 0;
	if (cJSON_IsNumber(v)) {
		*ret = (int64_t)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return -EINVAL;
	errno = 0;
	*ret = strtoll(v->valuestring, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

static int b64_field(const cJSON *obj, const char *name, char **ret, size_t *ret_len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (!v) {
		*ret_len = 0;
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	if (!cJSON_IsString(v))
		return -EINVAL;
	return nd_base64_decode(v->valuestring, ret, ret_len);
}

/* One mvccpb.KeyValue into kv (owned strings). */
static int kv_parse(const cJSON *o, struct nd_etcd_kv *kv)
{
	size_t klen;
	int r;

	*kv = (struct nd_etcd_kv){ 0 };
	if (!cJSON_IsObject(o))
		return -EINVAL;
	r = b64_field(o, "key", &kv->key, &klen);
	if (r >= 0 && (klen == 0 || strlen(kv->key) != klen))
		r = -EINVAL; /* keys are text here: no empty key, no NUL inside */
	if (r >= 0)
		r = b64_field(o, "value", &kv->value, &kv->value_len);
	if (r >= 0)
		r = int64_of(o, "create_revision", &kv->create_revision);
	if (r >= 0)
		r = int64_of(o, "mod_revision", &kv->mod_revision);
	if (r >= 0)
		r = int64_of(o, "lease", &kv->lease);
	if (r < 0) {
		free(kv->key);
		free(kv->value);
		*kv = (struct nd_etcd_kv){ 0 };
	}
	return r;
}

static int header_revision(const cJSON *o, int64_t *ret)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(o, "header");

	*ret = 0;
	return cJSON_IsObject(h) ? int64_of(h, "revision", ret) : 0;
}

static int kvs_of(const cJSON *o, struct nd_etcd_kvs *ret)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "kvs"), *it;
	struct nd_etcd_kvs kvs = { 0 };
	int n, r = header_revision(o, &kvs.revision);

	if (r < 0)
		return r;
	if (arr && !cJSON_IsArray(arr))
		return -EINVAL;
	n = cJSON_GetArraySize(arr);
	if (n < 0 || (unsigned)n > KVS_MAX)
		return -E2BIG;
	if (n > 0 && !(kvs.kv = calloc((size_t)n, sizeof(*kvs.kv))))
		return -ENOMEM;
	cJSON_ArrayForEach(it, arr)
	{
		r = kv_parse(it, &kvs.kv[kvs.n]);
		if (r < 0) {
			nd_etcd_kvs_clear(&kvs);
			return r;
		}
		kvs.n++;
	}
	*ret = kvs;
	return 0;
}

static cJSON *parse_object(const char *text, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(text, len);

	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int nd_etcd_parse_range(const char *text, size_t len, struct nd_etcd_kvs *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);

	return j ? kvs_of(j, ret) : -EINVAL;
}

int nd_etcd_parse_txn(const char *text, size_t len, bool *ret_ok, struct nd_etcd_kvs *ret_kvs)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);
	const cJSON *ok, *resps, *it;

	if (!j)
		return -EINVAL;
	ok = cJSON_GetObjectItemCaseSensitive(j, "succeeded");
	if (ok && !cJSON_IsBool(ok))
		return -EINVAL;
	resps = cJSON_GetObjectItemCaseSensitive(j, "responses");
	if (resps && !cJSON_IsArray(resps))
		return -EINVAL;
	*ret_ok = cJSON_IsTrue(ok);
	if (!ret_kvs)
		return 0;
	*ret_kvs = (struct nd_etcd_kvs){ 0 };
	cJSON_ArrayForEach(it, resps)
	{
		const cJSON *rr = cJSON_GetObjectItemCaseSensitive(it, "response_range");

		if (cJSON_IsObject(rr))
			return kvs_of(rr, ret_kvs);
	}
	return 0;
}

int nd_etcd_parse_lease(const char *text, size_t len, int64_t *ret_id, int64_t *ret_ttl)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);
	const cJSON *o = j, *res;
	int r;

	if (!j)
		return -EINVAL;
	/* keepalive is a stream: its one answer comes wrapped in "result". */
	res = cJSON_GetObjectItemCaseSensitive(j, "result");
	if (cJSON_IsObject(res))
		o = res;
	r = int64_of(o, "ID", ret_id);
	if (r >= 0)
		r = int64_of(o, "TTL", ret_ttl);
	return r;
}

/* gRPC status codes (google.golang.org/grpc/codes) as errnos. */
static int grpc_errno(int64_t code)
{
	switch (code) {
	case 3: /* InvalidArgument */
	case 11: /* OutOfRange: e.g. a compacted revision */
		return -EINVAL;
	case 4: /* DeadlineExceeded */
		return -ETIMEDOUT;
	case 5: /* NotFound: e.g. the lease */
		return -ENOENT;
	case 6: /* AlreadyExists */
		return -EEXIST;
	case 7: /* PermissionDenied */
	case 16: /* Unauthenticated */
		return -EACCES;
	case 8: /* ResourceExhausted */
		return -ENOSPC;
	case 14: /* Unavailable: no leader */
		return -EAGAIN;
	default:
		return -EPROTO;
	}
}

int nd_etcd_parse_error(const char *text, size_t len, char *msg, size_t msg_size)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);
	const cJSON *m;
	int64_t code = 0;

	if (msg_size)
		msg[0] = '\0';
	if (!j)
		return -EPROTO;
	m = cJSON_GetObjectItemCaseSensitive(j, "message");
	if (!cJSON_IsString(m))
		m = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(m) && msg_size)
		snprintf(msg, msg_size, "%s", m->valuestring);
	if (int64_of(j, "code", &code) < 0)
		return -EPROTO;
	/* etcd reports refused credentials as InvalidArgument; only the message tells. */
	if (cJSON_IsString(m) &&
	    (strstr(m->valuestring, "auth") || strstr(m->valuestring, "user name is empty") ||
	     strstr(m->valuestring, "permission denied")))
		return -EACCES;
	return grpc_errno(code);
}

int nd_etcd_parse_token(const char *text, size_t len, char *buf, size_t size)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);
	const cJSON *t = j ? cJSON_GetObjectItemCaseSensitive(j, "token") : NULL;

	if (!cJSON_IsString(t) || !t->valuestring[0] || strlen(t->valuestring) >= size ||
	    strpbrk(t->valuestring, "\r\n"))
		return -EPROTO;
	snprintf(buf, size, "%s", t->valuestring);
	return 0;
}

static int watch_event(const cJSON *ev, nd_etcd_event_fn fn, void *data)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(ev, "type");
	struct nd_etcd_event e = { 0 };
	int r;

	if (!cJSON_IsObject(ev) || (type && !cJSON_IsString(type)))
		return -EINVAL;
	e.deleted = type && !strcmp(type->valuestring, "DELETE");
	r = kv_parse(cJSON_GetObjectItemCaseSensitive(ev, "kv"), &e.kv);
	if (r < 0)
		return r;
	fn(data, &e);
	free(e.kv.key);
	free(e.kv.value);
	return 0;
}

int nd_etcd_parse_watch(const char *text, size_t len, nd_etcd_event_fn fn, void *data,
			int64_t *ret_rev)
{
	_cleanup_(cJSON_Deletep) cJSON *j = parse_object(text, len);
	const cJSON *res, *events, *it;
	int64_t compact = 0;
	int r;

	if (!j)
		return -EINVAL;
	res = cJSON_GetObjectItemCaseSensitive(j, "result");
	if (!cJSON_IsObject(res))
		return cJSON_GetObjectItemCaseSensitive(j, "error") ? -ESTALE : -EINVAL;
	r = header_revision(res, ret_rev);
	if (r >= 0)
		r = int64_of(res, "compact_revision", &compact);
	if (r < 0)
		return r;
	if (compact > 0 || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "canceled")))
		return -ESTALE;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "created")))
		return 1;
	events = cJSON_GetObjectItemCaseSensitive(res, "events");
	if (events && !cJSON_IsArray(events))
		return -EINVAL;
	cJSON_ArrayForEach(it, events)
	{
		/* A bad event is skipped, not fatal: the others are still true. */
		watch_event(it, fn, data);
	}
	return 0;
}

char *nd_etcd_prefix_end(const char *prefix)
{
	size_t n = strlen(prefix);
	char *end = strdup(prefix);

	/* etcd's rule: increment the last byte that is not 0xff, dropping the ones after it. */
	while (end && n > 0) {
		if ((unsigned char)end[n - 1] < 0xff) {
			end[n - 1]++;
			end[n] = '\0';
			return end;
		}
		n--;
	}
	free(end); /* only 0xff bytes: no text key is like that */
	return NULL;
}
