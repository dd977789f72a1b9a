/* SPDX-License-Identifier: MIT */
/*
 * etcd v3 client over its JSON gateway (/v3/kv/..., /v3/lease/..., /v3/watch,
 * /v3/auth/authenticate): TLS with client certificates, user/password auth,
 * several endpoints tried in turn with short timeouts. Keys and values are
 * base64 on the wire and plain strings here.
 */
#ifndef ND_ETCD_H
#define ND_ETCD_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cleanup.h"
#include "strv.h"

#define ND_ETCD_PREFIX_DEFAULT "/netdock"
#define ND_ETCD_VALUE_MAX (64u * 1024)

struct nd_etcd_conf {
	struct nd_strv endpoints; /* "http://host:port" or "https://host:port" */
	char prefix[128];
	char cacert[256], cert[256], key[256];
	char username[128], password[128];
	unsigned timeout_ms; /* per request and endpoint; 0: 2000 */
};

void nd_etcd_conf_clear(struct nd_etcd_conf *c);

struct nd_etcd_kv {
	char *key;
	char *value; /* NUL-terminated; "" for a delete event */
	size_t value_len;
	int64_t create_revision, mod_revision, lease;
};

struct nd_etcd_kvs {
	struct nd_etcd_kv *kv;
	size_t n;
	int64_t revision; /* the store's revision when read */
};

void nd_etcd_kvs_clear(struct nd_etcd_kvs *kvs);

/* etcd-parse.c: the gateway's JSON answers, parsed from untrusted text (fuzzed). */
/* A range answer (or a txn answer's first response_range): kvs and revision. */
int nd_etcd_parse_range(const char *text, size_t len, struct nd_etcd_kvs *ret);
/* A txn answer: *ret_ok is "succeeded"; ret_kvs (may be NULL) gets a response_range's kvs. */
int nd_etcd_parse_txn(const char *text, size_t len, bool *ret_ok, struct nd_etcd_kvs *ret_kvs);
/* A lease grant or keepalive answer: *ret_ttl 0 means the lease is gone. */
int nd_etcd_parse_lease(const char *text, size_t len, int64_t *ret_id, int64_t *ret_ttl);
/* An error answer {"error","code","message"}: the gRPC code as a negative errno. */
int nd_etcd_parse_error(const char *text, size_t len, char *msg, size_t msg_size);
/* An authenticate answer's token into buf. */
int nd_etcd_parse_token(const char *text, size_t len, char *buf, size_t size);

struct nd_etcd_event {
	bool deleted;
	struct nd_etcd_kv kv;
};

typedef void (*nd_etcd_event_fn)(void *data, const struct nd_etcd_event *ev);

/*
 * One message of the watch stream: calls fn per event (borrowed strings)
 * and sets *ret_rev to the header revision. Returns 0, 1 for the "created"
 * message, -ESTALE when the watch was cancelled or compacted (read the
 * whole prefix again), -EINVAL for text that is not a watch message.
 */
int nd_etcd_parse_watch(const char *text, size_t len, nd_etcd_event_fn fn, void *data,
			int64_t *ret_rev);

/* etcd.c, etcd-kv.c, etcd-watch.c: the client. Opening loads libcurl; nothing is sent yet. */
struct nd_etcd;

int nd_etcd_open(const struct nd_etcd_conf *conf, struct nd_etcd **ret);
void nd_etcd_close(struct nd_etcd *e);
ND_CLEANUP(struct nd_etcd *, nd_etcd_close)

/* Requests sent so far (answered or not), for the benchmark's "etcd requests per ADD". */
unsigned long nd_etcd_requests(const struct nd_etcd *e);
/* After a failure to reach any member: "url (reason), url (reason)". */
const char *nd_etcd_tried(const struct nd_etcd *e);
/* The configured prefix, without a trailing slash. */
const char *nd_etcd_prefix(const struct nd_etcd *e);

/*
 * Every call returns 0 or a negative errno: -EHOSTUNREACH when no endpoint
 * answered (nd_etcd_tried says why), -EACCES for refused credentials,
 * -EPROTO for an answer that does not parse, others from etcd's error code.
 */
int nd_etcd_get(struct nd_etcd *e, const char *key, bool prefix, struct nd_etcd_kvs *ret);
int nd_etcd_put(struct nd_etcd *e, const char *key, const char *value, int64_t lease);
/*
 * Puts key only if it does not exist (one compare-and-create txn): 0, or
 * -EEXIST with *ret_existing (may be NULL; caller frees) set to its value.
 */
int nd_etcd_create(struct nd_etcd *e, const char *key, const char *value, int64_t lease,
		   char **ret_existing);
/*
 * A condition of nd_etcd_create_if: key holds value, or (value NULL) no key
 * (under key, when prefix) was written after revision unchanged_since; 0
 * there means key does not exist.
 */
struct nd_etcd_guard {
	const char *key;
	bool prefix;
	const char *value;
	int64_t unchanged_since;
};

/*
 * nd_etcd_create while every guard holds, in the same txn, so a decision
 * taken on an earlier read cannot race a writer: 0, -EEXIST (*ret_existing
 * as for nd_etcd_create), or -ESTALE when key is absent but a guard failed.
 */
int nd_etcd_create_if(struct nd_etcd *e, const char *key, const char *value, int64_t lease,
		      const struct nd_etcd_guard *guards, size_t n, char **ret_existing);
/* Puts key only while its mod_revision is the given one (compare-and-swap): 0 or -ESTALE. */
int nd_etcd_replace(struct nd_etcd *e, const char *key, const char *value, int64_t mod_revision);
int nd_etcd_delete(struct nd_etcd *e, const char *key, bool prefix);
/* Deletes key only while it holds value: 0 (also when absent), or -EEXIST. */
int nd_etcd_delete_value(struct nd_etcd *e, const char *key, const char *value);
int nd_etcd_lease_grant(struct nd_etcd *e, unsigned ttl, int64_t *ret_id);
/* Refreshes the lease: 0, or -ENOENT when it has expired. */
int nd_etcd_lease_keepalive(struct nd_etcd *e, int64_t id);
int nd_etcd_lease_revoke(struct nd_etcd *e, int64_t id);

/*
 * A watch on every key under prefix from revision start_rev, streamed
 * without blocking (curl multi). wait() sleeps until data arrives, one of
 * fds becomes readable, or timeout_ms; dispatch() handles what arrived.
 */
struct nd_etcd_watch;

int nd_etcd_watch_open(struct nd_etcd *e, const char *prefix, int64_t start_rev,
		       struct nd_etcd_watch **ret);
void nd_etcd_watch_close(struct nd_etcd_watch *w);
ND_CLEANUP(struct nd_etcd_watch *, nd_etcd_watch_close)
int nd_etcd_watch_wait(struct nd_etcd_watch *w, const int *fds, size_t n_fds, int timeout_ms);
/*
 * The member the watch streams from, and the one that answered the last
 * request: when they differ, the watch's member may be gone silently (a
 * vanished host sends no reset), so the caller opens the watch anew.
 */
size_t nd_etcd_watch_endpoint(const struct nd_etcd_watch *w);
size_t nd_etcd_current(const struct nd_etcd *e);
/*
 * Calls fn for each event received; *ret_rev follows the stream. Returns 0,
 * -ESTALE (compacted or cancelled), or -ECONNRESET (the stream ended).
 */
int nd_etcd_watch_dispatch(struct nd_etcd_watch *w, nd_etcd_event_fn fn, void *data,
			   int64_t *ret_rev);

/* The smallest key greater than every key starting with prefix (etcd's range_end). */
char *nd_etcd_prefix_end(const char *prefix);

#endif
