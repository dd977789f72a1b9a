// SPDX-License-Identifier: MIT
/* The watch stream: one long POST read without blocking through curl multi. */
#include "etcd-internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct nd_etcd_watch {
	struct nd_etcd *e;
	CURL *easy;
	CURLM *multi;
	struct curl_slist *hdrs;
	char *body;
	struct etcd_buf in;
	size_t done; /* bytes of in already dispatched */
	size_t endpoint; /* index of the member streaming it */
	bool ended;
};

int nd_etcd_watch_open(struct nd_etcd *e, const char *prefix, int64_t start_rev,
		       struct nd_etcd_watch **ret)
{
	_cleanup_(cJSON_Deletep) cJSON *req = cJSON_CreateObject();
	cJSON *create = etcd_key_object(prefix, true);
	struct nd_etcd_watch *w = calloc(1, sizeof(*w));
	char url[512];

	if (!w || !req || !create) {
		cJSON_Delete(create);
		free(w);
		return -ENOMEM;
	}
	cJSON_AddItemToObject(req, "create_request", create);
	if (start_rev > 0)
		etcd_add_int64(create, "start_revision", start_rev);
	w->e = e;
	w->body = cJSON_PrintUnformatted(req);
	w->easy = e->curl.easy_init();
	w->multi = e->curl.multi_init();
	w->hdrs = etcd_headers(e);
	if (!w->body || !w->easy || !w->multi || !w->hdrs) {
		nd_etcd_watch_close(w);
		return -ENOMEM;
	}
	w->endpoint = e->current;
	snprintf(url, sizeof(url), "%s/v3/watch", e->conf.endpoints.v[e->current]);
	e->curl.easy_setopt(w->easy, CURLOPT_POSTFIELDS, w->body);
	e->curl.easy_setopt(w->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(w->body));
	etcd_easy_common(e, w->easy, url, w->hdrs, &w->in, 0L); /* a stream: no total timeout */
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
