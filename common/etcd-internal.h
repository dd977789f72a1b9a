/* SPDX-License-Identifier: MIT */
/* What the etcd client's files share (etcd.c, etcd-kv.c, etcd-watch.c); not an API. */
#ifndef ND_ETCD_INTERNAL_H
#define ND_ETCD_INTERNAL_H

#include "curl-dl.h"
#include "etcd.h"

struct nd_etcd {
	struct nd_curl curl;
	CURL *easy; /* kept: its connection to the member that answered is reused */
	struct nd_etcd_conf conf;
	size_t current; /* the endpoint that answered last */
	char token[512]; /* auth token, "" until authenticated */
	unsigned long requests;
	char tried[1024];
};

/* An answer being received; p is NUL-terminated. */
struct etcd_buf {
	char *p;
	size_t n, cap;
};

/* The curl options every request shares: TLS files, timeouts, no proxy from the environment. */
void etcd_easy_common(struct nd_etcd *e, CURL *h, const char *url, struct curl_slist *hdrs,
		      struct etcd_buf *out, long timeout_ms);
/* Content type and, once authenticated, the token. */
struct curl_slist *etcd_headers(struct nd_etcd *e);
/* POSTs the JSON req to path on the first member that answers; *out gets the answer. */
int etcd_call(struct nd_etcd *e, const char *path, const cJSON *req, struct etcd_buf *out);

/* JSON fields of the gateway's requests: bytes as base64, int64 as strings. */
bool etcd_add_b64(cJSON *o, const char *name, const char *text);
bool etcd_add_int64(cJSON *o, const char *name, int64_t v);
/* {"key": k[, "range_end": end of k as a prefix]} */
cJSON *etcd_key_object(const char *key, bool prefix);

#endif
