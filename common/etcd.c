// SPDX-License-Identifier: MIT
/* etcd v3 over the JSON gateway: requests with member failover, auth tokens, leases. */
#include "etcd-internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "log.h"

#define ANSWER_MAX (64u << 20)
#define CONNECT_TIMEOUT_MS 300

void nd_etcd_conf_clear(struct nd_etcd_conf *c)
{
	nd_strv_clear(&c->endpoints);
}

static size_t buf_write(char *ptr, size_t size, size_t nmemb, void *data)
{
	struct etcd_buf *b = data;
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
void etcd_easy_common(struct nd_etcd *e, CURL *h, const char *url, struct curl_slist *hdrs,
		      struct etcd_buf *out, long timeout_ms)
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

struct curl_slist *etcd_headers(struct nd_etcd *e)
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
		    struct etcd_buf *out, long *ret_status)
{
	const char *base = e->conf.endpoints.v[idx];
	struct curl_slist *hdrs = etcd_headers(e);
	char url[512];
	CURLcode cc;

	snprintf(url, sizeof(url), "%s%s", base, path);
	e->curl.easy_setopt(e->easy, CURLOPT_POSTFIELDS, body);
	e->curl.easy_setopt(e->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	etcd_easy_common(e, e->easy, url, hdrs, out,
			 e->conf.timeout_ms ? e->conf.timeout_ms : 2000);
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
	struct etcd_buf out = { 0 };
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

static int post(struct nd_etcd *e, const char *path, const char *body, struct etcd_buf *out)
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
bool etcd_add_b64(cJSON *o, const char *name, const char *text)
{
	_cleanup_(freep) char *b = nd_base64_encode(text, strlen(text));

	return b && cJSON_AddStringToObject(o, name, b);
}

bool etcd_add_int64(cJSON *o, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return cJSON_AddStringToObject(o, name, s) != NULL;
}

/* {"key": k[, "range_end": end of k as a prefix]} */
cJSON *etcd_key_object(const char *key, bool prefix)
{
	_cleanup_(cJSON_Deletep) cJSON *o = cJSON_CreateObject();
	_cleanup_(freep) char *end = prefix ? nd_etcd_prefix_end(key) : NULL;

	if (!o || !etcd_add_b64(o, "key", key) ||
	    (prefix && (!end || !etcd_add_b64(o, "range_end", end))))
		return NULL;
	return steal_ptr(o);
}

/* POSTs the JSON req to path; *out gets the answer. */
int etcd_call(struct nd_etcd *e, const char *path, const cJSON *req, struct etcd_buf *out)
{
	_cleanup_(freep) char *body = req ? cJSON_PrintUnformatted(req) : NULL;

	if (!body)
		return -ENOMEM;
	return post(e, path, body, out);
}

static int lease_call(struct nd_etcd *e, const char *path, cJSON *req, int64_t *ret_id,
		      int64_t *ret_ttl)
{
	struct etcd_buf out = { 0 };
	int64_t id = 0, ttl = 0;
	int r = etcd_call(e, path, req, &out);

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

	if (req && !etcd_add_int64(req, "TTL", ttl)) {
		cJSON_Delete(req);
		req = NULL;
	}
	r = lease_call(e, "/v3/lease/grant", req, ret_id, &got);
	return r >= 0 && got <= 0 ? -EPROTO : r;
}

static cJSON *id_object(int64_t id)
{
	cJSON *req = cJSON_CreateObject();

	if (req && !etcd_add_int64(req, "ID", id)) {
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
	struct etcd_buf out = { 0 };
	_cleanup_(cJSON_Deletep) cJSON *req = id_object(id);
	int r = etcd_call(e, "/v3/lease/revoke", req, &out);

	free(out.p);
	return r;
}
