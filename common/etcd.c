// SPDX-License-Identifier: MIT
/* etcd v3 over the JSON gateway: requests with member failover, auth tokens, the watch stream. */
#include "etcd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "curl-dl.h"
#include "log.h"

#define ANSWER_MAX (64u << 20)
#define CONNECT_TIMEOUT_MS 300

struct nd_etcd {
	struct nd_curl curl;
	CURL *easy; /* kept: its connection to the member that answered is reused */
	struct nd_etcd_conf conf;
	size_t current; /* the endpoint that answered last */
	char token[512]; /* auth token, "" until authenticated */
	unsigned long requests;
	char tried[1024];
};

struct buf {
	char *p;
	size_t n, cap;
};

void nd_etcd_conf_clear(struct nd_etcd_conf *c)
{
	nd_strv_clear(&c->endpoints);
}

static size_t buf_write(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct buf *b = data;
	size_t n = size * nmemb;

	if (b->n + n + 1 > ANSWER_MAX)
		return 0; /* curl fails the transfer: an answer this big is not etcd's */
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return 0;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, ptr, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

static void tried_add(struct nd_etcd *e, const char *url, const char *why)
{
	size_t n = strlen(e->tried);

	snprintf(e->tried + n, sizeof(e->tried) - n, "%s%s (%s)", n ? ", " : "", url, why);
}

/* The options every request shares: TLS files, timeouts, no proxy from the environment. */
static void easy_common(struct nd_etcd *e, CURL *h, const char *url, struct curl_slist *hdrs,
			struct buf *out, long timeout_ms)
{
	struct nd_curl *c = &e->curl;

	c->easy_setopt(h, CURLOPT_URL, url);
	c->easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	c->easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
	c->easy_setopt(h, CURLOPT_WRITEDATA, out);
	c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	c->easy_setopt(h, CURLOPT_NOPROXY, "*");
	c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
	c->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	if (e->conf.cacert[0])
		c->easy_setopt(h, CURLOPT_CAINFO, e->conf.cacert);
	if (e->conf.cert[0])
		c->easy_setopt(h, CURLOPT_SSLCERT, e->conf.cert);
	if (e->conf.key[0])
		c->easy_setopt(h, CURLOPT_SSLKEY, e->conf.key);
}

static struct curl_slist *headers(struct nd_etcd *e)
{
	struct curl_slist *h = e->curl.slist_append(NULL, "Content-Type: application/json");
	char auth[600];

	if (h && e->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: %s", e->token);
		h = e->curl.slist_append(h, auth);
	}
	return h;
}

/* One POST to one member: 0 with the HTTP status, or -EHOSTUNREACH (why in tried). */
static int post_one(struct nd_etcd *e, size_t idx, const char *path, const char *body,
		    struct buf *out, long *ret_status)
{
	const char *base = e->conf.endpoints.v[idx];
	struct curl_slist *hdrs = headers(e);
	char url[512];
	CURLcode cc;

	snprintf(url, sizeof(url), "%s%s", base, path);
	e->curl.easy_setopt(e->easy, CURLOPT_POSTFIELDS, body);
	e->curl.easy_setopt(e->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	easy_common(e, e->easy, url, hdrs, out, e->conf.timeout_ms ? e->conf.timeout_ms : 2000);
	e->requests++;
	out->n = 0;
	cc = e->curl.easy_perform(e->easy);
	e->curl.slist_free_all(hdrs);
	if (cc != CURLE_OK) {
		tried_add(e, base, e->curl.easy_strerror(cc));
		return -EHOSTUNREACH;
	}
	e->curl.easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE, ret_status);
	return 0;
}

static int authenticate(struct nd_etcd *e, size_t idx)
{
	_cleanup_(cJSON_Deletep) cJSON *req = cJSON_CreateObject();
	_cleanup_(freep) char *body = NULL;
	struct buf out = { 0 };
	char msg[256];
	long status = 0;
	int r;

	e->token[0] = '\0';
	if (!req || !cJSON_AddStringToObject(req, "name", e->conf.username) ||
	    !cJSON_AddStringToObject(req, "password", e->conf.password) ||
	    !(body = cJSON_PrintUnformatted(req)))
		return -ENOMEM;
	r = post_one(e, idx, "/v3/auth/authenticate", body, &out, &status);
	if (r >= 0 && status != 200) {
		r = nd_etcd_parse_error(out.p ? out.p : "", out.n, msg, sizeof(msg));
		r = r == -EAGAIN ? r : -EACCES;
		nd_warn("etcd %s: authenticating as %s: %s", e->conf.endpoints.v[idx],
			e->conf.username, msg);
	} else if (r >= 0) {
		r = nd_etcd_parse_token(out.p, out.n, e->token, sizeof(e->token));
	}
	free(out.p);
	return r;
}

/* A failure that another member may not have: no leader, shutting down. */
static bool member_trouble(int r, long status)
{
	return r == -EAGAIN || status >= 500;
}

static int post(struct nd_etcd *e, const char *path, const char *body, struct buf *out)
{
	size_t n = e->conf.endpoints.n;

	e->tried[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		size_t idx = (e->current + k) % n;
		long status = 0;
		char msg[256];
		int r = 0;

		if (e->conf.username[0] && !e->token[0])
			r = authenticate(e, idx);
		if (r >= 0)
			r = post_one(e, idx, path, body, out, &status);
		if (r >= 0 && status != 200 && e->conf.username[0] &&
		    nd_etcd_parse_error(out->p ? out->p : "", out->n, msg, sizeof(msg)) ==
			    -EACCES) {
			/* The token expired (etcd's simple tokens last five minutes). */
			r = authenticate(e, idx);
			if (r >= 0)
				r = post_one(e, idx, path, body, out, &status);
		}
		if (r == -EHOSTUNREACH)
			continue;
		if (r < 0)
			return r;
		if (status == 200) {
			e->current = idx;
			return 0;
		}
		r = nd_etcd_parse_error(out->p ? out->p : "", out->n, msg, sizeof(msg));
		if (member_trouble(r, status)) {
			tried_add(e, e->conf.endpoints.v[idx], msg[0] ? msg : "unavailable");
			continue;
		}
		nd_debug("etcd %s%s: %s", e->conf.endpoints.v[idx], path, msg);
		return r;
	}
	return -EHOSTUNREACH;
}

int nd_etcd_open(const struct nd_etcd_conf *conf, struct nd_etcd **ret)
{
	struct nd_etcd *e;
	int r;

	if (conf->endpoints.n == 0)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->conf = *conf;
	e->conf.endpoints = (struct nd_strv){ 0 };
	r = nd_curl_load(&e->curl);
	nd_strv_foreach(s, &conf->endpoints)
		if (r >= 0)
			r = nd_strv_push(&e->conf.endpoints, s);
	if (r >= 0 && !(e->easy = e->curl.easy_init()))
		r = -ENOMEM;
	if (r < 0) {
		nd_etcd_close(e);
		return r;
	}
	if (!e->conf.prefix[0])
		snprintf(e->conf.prefix, sizeof(e->conf.prefix), "%s", ND_ETCD_PREFIX_DEFAULT);
	*ret = e;
	return 0;
}

void nd_etcd_close(struct nd_etcd *e)
{
	if (!e)
		return;
	if (e->easy)
		e->curl.easy_cleanup(e->easy);
	nd_curl_unload(&e->curl);
	nd_etcd_conf_clear(&e->conf);
	free(e);
}

unsigned long nd_etcd_requests(const struct nd_etcd *e)
{
	return e->requests;
}

const char *nd_etcd_tried(const struct nd_etcd *e)
{
	return e->tried;
}

const char *nd_etcd_prefix(const struct nd_etcd *e)
{
	return e->conf.prefix;
}

/* Adds name: base64(text) to o. */
static bool add_b64(cJSON *o, const char *name, const char *text)
{
	_cleanup_(freep) char *b = nd_base64_encode(text, strlen(text));

	return b && cJSON_AddStringToObject(o, name, b);
}

static bool add_int64(cJSON *o, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return cJSON_AddStringToObject(o, name, s) != NULL;
}

/* {"key": k[, "range_end": end of k as a prefix]} */
static cJSON *key_object(const char *key, bool prefix)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *end = prefix ? nd_etcd_prefix_end(key) : NULL;

	if (!o || !add_b64(o, "key", key) || (prefix && (!end || !add_b64(o, "range_end", end))))
		return NULL;
	return steal_ptr(o);
}

/* POSTs the JSON req to path; *out gets the answer. */
static int call(struct nd_etcd *e, const char *path, const cJSON *req, struct buf *out)
{
	_cleanup_(freep) char *body = req ? cJSON_PrintUnformatted(req) : NULL;

	if (!body)
		return -ENOMEM;
	return post(e, path, body, out);
}

int nd_etcd_get(struct nd_etcd *e, const char *key, bool prefix, struct nd_etcd_kvs *ret)
{
	_cleanup_(cJSON_Deletep) cJSON *req = key_object(key, prefix);
	struct buf out = { 0 };
	int r = call(e, "/v3/kv/range", req, &out);

	if (r >= 0)
		r = nd_etcd_parse_range(out.p, out.n, ret) < 0 ? -EPROTO : 0;
	free(out.p);
	return r;
}

static cJSON *put_object(const char *key, const char *value, int64_t lease)
{
	_cleanup_(cJSON_Deletep) cJSON *o = key_object(key, false);

	if (!o || !add_b64(o, "value", value) || (lease && !add_int64(o, "lease", lease)))
		return NULL;
	return steal_ptr(o);
}

int nd_etcd_put(struct nd_etcd *e, const char *key, const char *value, int64_t lease)
{
	_cleanup_(cJSON_Deletep) cJSON *req = put_object(key, value, lease);
	struct buf out = { 0 };
	int r = call(e, "/v3/kv/put", req, &out);

	free(out.p);
	return r;
}

/* A txn: if compare(key) then success_op else a range of key; *ret_ok, *ret_kvs. */
static int txn(struct nd_etcd *e, cJSON *cmp, const char *op, cJSON *op_body, const char *key,
	       bool *ret_ok, struct nd_etcd_kvs *ret_kvs)
{
	_cleanup_(cJSON_Deletep) cJSON *req = cJSON_CreateObject();
	_cleanup_(cJSON_Deletep) cJSON *c = cmp, *body = op_body;
	cJSON *arr, *succ, *fail, *item;
	struct buf out = { 0 };
	int r;

	if (!req || !c || !body || !(arr = cJSON_AddArrayToObject(req, "compare")))
		return -ENOMEM;
	cJSON_AddItemToArray(arr, steal_ptr(c));
	if (!(succ = cJSON_AddArrayToObject(req, "success")) || !(item = cJSON_CreateObject()))
		return -ENOMEM;
	cJSON_AddItemToArray(succ, item);
	cJSON_AddItemToObject(item, op, steal_ptr(body));
	if (!(fail = cJSON_AddArrayToObject(req, "failure")) || !(item = cJSON_CreateObject()))
		return -ENOMEM;
	cJSON_AddItemToArray(fail, item);
	cJSON_AddItemToObject(item, "request_range", key_object(key, false));
	r = call(e, "/v3/kv/txn", req, &out);
	if (r >= 0)
		r = nd_etcd_parse_txn(out.p, out.n, ret_ok, ret_kvs) < 0 ? -EPROTO : 0;
	free(out.p);
	return r;
}

int nd_etcd_create(struct nd_etcd *e, const char *key, const char *value, int64_t lease,
		   char **ret_existing)
{
	cJSON *cmp = key_object(key, false);
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false;
	int r;

	if (cmp && (!cJSON_AddStringToObject(cmp, "result", "EQUAL") ||
		    !cJSON_AddStringToObject(cmp, "target", "CREATE") ||
		    !add_int64(cmp, "create_revision", 0))) {
		cJSON_Delete(cmp);
		cmp = NULL;
	}
	r = txn(e, cmp, "request_put", put_object(key, value, lease), key, &ok, &kvs);
	if (r >= 0 && !ok) {
		r = -EEXIST;
		if (ret_existing)
			*ret_existing = strdup(kvs.n ? kvs.kv[0].value : "");
	}
	nd_etcd_kvs_clear(&kvs);
	return r;
}

int nd_etcd_replace(struct nd_etcd *e, const char *key, const char *value, int64_t mod_revision)
{
	cJSON *cmp = key_object(key, false);
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false;
	int r;

	if (cmp && (!cJSON_AddStringToObject(cmp, "result", "EQUAL") ||
		    !cJSON_AddStringToObject(cmp, "target", "MOD") ||
		    !add_int64(cmp, "mod_revision", mod_revision))) {
		cJSON_Delete(cmp);
		cmp = NULL;
	}
	r = txn(e, cmp, "request_put", put_object(key, value, 0), key, &ok, &kvs);
	if (r >= 0 && !ok)
		r = -ESTALE;
	nd_etcd_kvs_clear(&kvs);
	return r;
}

int nd_etcd_delete(struct nd_etcd *e, const char *key, bool prefix)
{
	_cleanup_(cJSON_Deletep) cJSON *req = key_object(key, prefix);
	struct buf out = { 0 };
	int r = call(e, "/v3/kv/deleterange", req, &out);

	free(out.p);
	return r;
}

int nd_etcd_delete_value(struct nd_etcd *e, const char *key, const char *value)
{
	cJSON *cmp = key_object(key, false);
	struct nd_etcd_kvs kvs = { 0 };
	bool ok = false;
	int r;

	if (cmp &&
	    (!cJSON_AddStringToObject(cmp, "result", "EQUAL") ||
	     !cJSON_AddStringToObject(cmp, "target", "VALUE") || !add_b64(cmp, "value", value))) {
		cJSON_Delete(cmp);
		cmp = NULL;
	}
	r = txn(e, cmp, "request_delete_range", key_object(key, false), key, &ok, &kvs);
	if (r >= 0 && !ok && kvs.n)
		r = -EEXIST;
	nd_etcd_kvs_clear(&kvs);
	return r;
}

static int lease_call(struct nd_etcd *e, const char *path, cJSON *req, int64_t *ret_id,
		      int64_t *ret_ttl)
{
	struct buf out = { 0 };
	int64_t id = 0, ttl = 0;
	int r = call(e, path, req, &out);

	cJSON_Delete(req);
	if (r >= 0 && nd_etcd_parse_lease(out.p, out.n, &id, &ttl) < 0)
		r = -EPROTO;
	free(out.p);
	if (r >= 0 && ret_id)
		*ret_id = id;
	if (r >= 0 && ret_ttl)
		*ret_ttl = ttl;
	return r;
}

int nd_etcd_lease_grant(struct nd_etcd *e, unsigned ttl, int64_t *ret_id)
{
	cJSON *req = cJSON_CreateObject();
	int64_t got = 0;
	int r;

	if (req && !add_int64(req, "TTL", ttl)) {
		cJSON_Delete(req);
		req = NULL;
	}
	r = lease_call(e, "/v3/lease/grant", req, ret_id, &got);
	return r >= 0 && got <= 0 ? -EPROTO : r;
}

static cJSON *id_object(int64_t id)
{
	cJSON *req = cJSON_CreateObject();

	if (req && !add_int64(req, "ID", id)) {
		cJSON_Delete(req);
		return NULL;
	}
	return req;
}

int nd_etcd_lease_keepalive(struct nd_etcd *e, int64_t id)
{
	int64_t ttl = 0;
	int r = lease_call(e, "/v3/lease/keepalive", id_object(id), NULL, &ttl);

	return r >= 0 && ttl <= 0 ? -ENOENT : r;
}

int nd_etcd_lease_revoke(struct nd_etcd *e, int64_t id)
{
	struct buf out = { 0 };
	_cleanup_(cJSON_Deletep) cJSON *req = id_object(id);
	int r = call(e, "/v3/lease/revoke", req, &out);

	free(out.p);
	return r;
}

struct nd_etcd_watch {
	struct nd_etcd *e;
	CURL *easy;
	CURLM *multi;
	struct curl_slist *hdrs;
	char *body;
	struct buf in;
	size_t done; /* bytes of in already dispatched */
	size_t endpoint; /* index of the member streaming it */
	bool ended;
};

int nd_etcd_watch_open(struct nd_etcd *e, const char *prefix, int64_t start_rev,
		       struct nd_etcd_watch **ret)
{
	_cleanup_(cJSON_Deletep) cJSON *req = cJSON_CreateObject();
	cJSON *create = key_object(prefix, true);
	struct nd_etcd_watch *w = calloc(1, sizeof(*w));
	char url[512];

	if (!w || !req || !create) {
		cJSON_Delete(create);
		free(w);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(req, "create_request", create);
	if (start_rev > 0)
		add_int64(create, "start_revision", start_rev);
	w->e = e;
	w->body = cJSON_PrintUnformatted(req);
	w->easy = e->curl.easy_init();
	w->multi = e->curl.multi_init();
	w->hdrs = headers(e);
	if (!w->body || !w->easy || !w->multi || !w->hdrs) {
		nd_etcd_watch_close(w);
		return -ENOMEM;
	}
	w->endpoint = e->current;
	snprintf(url, sizeof(url), "%s/v3/watch", e->conf.endpoints.v[e->current]);
	e->curl.easy_setopt(w->easy, CURLOPT_POSTFIELDS, w->body);
	e->curl.easy_setopt(w->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(w->body));
	easy_common(e, w->easy, url, w->hdrs, &w->in, 0L); /* a stream: no total timeout */
	e->requests++;
	e->curl.multi_add_handle(w->multi, w->easy);
	*ret = w;
	return 0;
}

void nd_etcd_watch_close(struct nd_etcd_watch *w)
{
	if (!w)
		return;
	if (w->multi && w->easy)
		w->e->curl.multi_remove_handle(w->multi, w->easy);
	if (w->easy)
		w->e->curl.easy_cleanup(w->easy);
	if (w->multi)
		w->e->curl.multi_cleanup(w->multi);
	if (w->hdrs)
		w->e->curl.slist_free_all(w->hdrs);
	free(w->body);
	free(w->in.p);
	free(w);
}

int nd_etcd_watch_wait(struct nd_etcd_watch *w, const int *fds, size_t n_fds, int timeout_ms)
{
	struct curl_waitfd extra[8];
	int running = 0, n = 0;

	if (n_fds > ND_ARRAY_SIZE(extra))
		return -EINVAL;
	for (size_t i = 0; i < n_fds; i++)
		extra[i] = (struct curl_waitfd){ .fd = fds[i], .events = CURL_WAIT_POLLIN };
	if (w->e->curl.multi_poll(w->multi, extra, (unsigned)n_fds, timeout_ms, &n) != CURLM_OK)
		return -EIO;
	w->e->curl.multi_perform(w->multi, &running);
	if (!running)
		w->ended = true;
	return 0;
}

size_t nd_etcd_watch_endpoint(const struct nd_etcd_watch *w)
{
	return w->endpoint;
}

size_t nd_etcd_current(const struct nd_etcd *e)
{
	return e->current;
}

int nd_etcd_watch_dispatch(struct nd_etcd_watch *w, nd_etcd_event_fn fn, void *data,
			   int64_t *ret_rev)
{
	char *line, *nl;
	int r = 0;

	/* The gateway sends one JSON message per line. */
	while (r >= 0 && w->in.p && (nl = memchr(w->in.p + w->done, '\n', w->in.n - w->done))) {
		int64_t rev = 0;

		line = w->in.p + w->done;
		r = nd_etcd_parse_watch(line, (size_t)(nl - line), fn, data, &rev);
		w->done = (size_t)(nl - w->in.p) + 1;
		if (r == -EINVAL) {
			nd_warn("etcd watch: a message that does not parse, skipped");
			r = 0;
		}
		if (r >= 0 && rev > 0)
			*ret_rev = rev;
	}
	if (w->done == w->in.n) {
		w->in.n = w->done = 0;
	}
	if (r >= 0 && w->ended)
		return -ECONNRESET;
	return r < 0 ? r : 0;
}
