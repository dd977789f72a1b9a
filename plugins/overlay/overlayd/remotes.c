// SPDX-License-Identifier: MIT
/*
 * The remote endpoints etcd holds under <prefix>/endpoints/<net>/<host>/<file>:
 * every key and value is checked before it can become a kernel entry or a
 * file, and whatever fails is logged and skipped, never fatal.
 */
#include "overlayd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "link.h"
#include "log.h"
#include "rundir.h"

char *overlayd_endpoints_prefix(const struct agent *a)
{
	char *p = NULL;

	return asprintf(&p, "%s/endpoints/", a->conf.prefix) < 0 ? NULL : p;
}

/* "<net>/<host>/<file>" after the prefix, each part a safe name. */
static int key_split(const struct agent *a, const char *key, struct remote *r)
{
	char *prefix = overlayd_endpoints_prefix(a);
	size_t n = prefix ? strlen(prefix) : 0;
	const char *p = key + n, *s1, *s2;
	int rc = -EINVAL;

	if (prefix && !strncmp(key, prefix, n) && (s1 = strchr(p, '/')) &&
	    (s2 = strchr(s1 + 1, '/')) && !strchr(s2 + 1, '/') &&
	    (size_t)(s1 - p) < sizeof(r->net) && (size_t)(s2 - s1 - 1) < sizeof(r->host) &&
	    strlen(s2 + 1) < sizeof(r->file)) {
		snprintf(r->net, sizeof(r->net), "%.*s", (int)(s1 - p), p);
		snprintf(r->host, sizeof(r->host), "%.*s", (int)(s2 - s1 - 1), s1 + 1);
		snprintf(r->file, sizeof(r->file), "%s", s2 + 1);
		rc = nd_name_valid(r->net) && nd_name_valid(r->host) && nd_name_valid(r->file) ?
			     0 :
			     -EINVAL;
	}
	free(prefix);
	return rc;
}

/* The value: an endpoint record whose host is the publishing VTEP, named as the key says. */
static int value_parse(const char *value, size_t len, struct remote *r, const char **why)
{
	char file[OVERLAYD_FILE_MAX];

	*why = "not an endpoint record";
	if (len > ND_ETCD_VALUE_MAX) {
		*why = "value too large";
		return -E2BIG;
	}
	if (nd_endpoint_record_parse(value, len, &r->rec) < 0)
		return -EINVAL;
	*why = "host is not a VTEP address";
	if (nd_addr_parse(r->rec.host, &r->vtep) < 0)
		goto bad;
	*why = "mac does not parse";
	if (nd_mac_parse(r->rec.mac, r->mac) < 0 || (r->mac[0] & 1))
		goto bad;
	*why = "containerID/ifname do not match the key";
	if (nd_endpoint_record_filename(r->rec.container_id, r->rec.ifname, file, sizeof(file)) <
		    0 ||
	    strcmp(file, r->file))
		goto bad;
	*why = "no address";
	if (r->rec.n_ips == 0)
		goto bad;
	return 0;
bad:
	nd_endpoint_record_clear(&r->rec);
	return -EINVAL;
}

static void remote_free(struct remote *r)
{
	free(r->key);
	nd_endpoint_record_clear(&r->rec);
}

static ssize_t remote_find(const struct agent *a, const char *key)
{
	for (size_t i = 0; i < a->n_remotes; i++)
		if (!strcmp(a->remotes[i].key, key))
			return (ssize_t)i;
	return -1;
}

static void mark_dirty(struct agent *a, const struct remote *r)
{
	if (a->n_dirty == a->cap_dirty) {
		size_t cap = a->cap_dirty ? a->cap_dirty * 2 : 64;
		struct dirty *d = realloc(a->dirty, cap * sizeof(*d));

		if (!d) {
			a->mirror_full = true; /* the full pass catches it */
			return;
		}
		a->dirty = d;
		a->cap_dirty = cap;
	}
	snprintf(a->dirty[a->n_dirty].net, sizeof(a->dirty[0].net), "%s", r->net);
	snprintf(a->dirty[a->n_dirty].file, sizeof(a->dirty[0].file), "%s", r->file);
	a->n_dirty++;
	a->kernel_dirty = true;
}

static void remote_drop(struct agent *a, const char *key)
{
	ssize_t i = remote_find(a, key);

	if (i < 0)
		return;
	mark_dirty(a, &a->remotes[i]);
	remote_free(&a->remotes[i]);
	a->remotes[i] = a->remotes[--a->n_remotes];
}

static void remote_put(struct agent *a, struct remote *r)
{
	ssize_t i = remote_find(a, r->key);

	if (i < 0 && a->n_remotes == a->cap_remotes) {
		size_t cap = a->cap_remotes ? a->cap_remotes * 2 : 64;
		struct remote *v = realloc(a->remotes, cap * sizeof(*v));

		if (!v) {
			nd_err("overlayd: out of memory, endpoint %s skipped", r->key);
			remote_free(r);
			return;
		}
		a->remotes = v;
		a->cap_remotes = cap;
	}
	if (i >= 0)
		remote_free(&a->remotes[i]);
	else
		i = (ssize_t)a->n_remotes++;
	a->remotes[i] = *r;
	mark_dirty(a, r);
}

/* Remembers a key of this host as published (with what it holds now). */
static void own_key(struct agent *a, const struct nd_etcd_kv *kv)
{
	struct pub *v = realloc(a->pubs, (a->n_pubs + 1) * sizeof(*v));

	if (!v)
		return;
	a->pubs = v;
	v[a->n_pubs].key = strdup(kv->key);
	v[a->n_pubs].value = strdup(kv->value);
	if (v[a->n_pubs].key && v[a->n_pubs].value)
		a->n_pubs++;
	else {
		free(v[a->n_pubs].key);
		free(v[a->n_pubs].value);
	}
}

/* One of our keys vanished (an expired lease, a hand-made delete): publish it again if still local. */
static void own_key_gone(struct agent *a, const char *key)
{
	for (size_t i = 0; i < a->n_pubs; i++) {
		if (strcmp(a->pubs[i].key, key))
			continue;
		free(a->pubs[i].key);
		free(a->pubs[i].value);
		a->pubs[i] = a->pubs[--a->n_pubs];
		a->publish_dirty = true;
		return;
	}
}

/* One key/value into the table; false (logged) when it is not usable. */
static bool remote_apply(struct agent *a, const struct nd_etcd_kv *kv, bool deleted, bool loading)
{
	struct remote r = { 0 };
	const char *why = "key is not <prefix>/endpoints/<net>/<host>/<containerID>-<ifname>.json";

	if (key_split(a, kv->key, &r) < 0) {
		nd_warn("overlayd: skipping etcd key %.200s: %s", kv->key, why);
		return false;
	}
	if (!strcmp(r.host, a->host)) {
		/*
		 * Our own, published from the run dir. A key still under an
		 * earlier lease (a restarted agent's) counts as unpublished: it
		 * goes when that lease expires, so it is put again under ours.
		 */
		if (loading && !deleted && kv->lease == a->lease)
			own_key(a, kv);
		if (!loading && deleted)
			own_key_gone(a, kv->key);
		return true;
	}
	if (deleted) {
		remote_drop(a, kv->key);
		return true;
	}
	if (value_parse(kv->value, kv->value_len, &r, &why) < 0 || !(r.key = strdup(kv->key))) {
		nd_warn("overlayd: skipping etcd key %.200s: %s", kv->key, why);
		remote_drop(a, kv->key); /* what it said before no longer holds */
		return false;
	}
	remote_put(a, &r);
	return true;
}

void overlayd_remote_event(void *agent, const struct nd_etcd_event *ev)
{
	remote_apply(agent, &ev->kv, ev->deleted, false);
}

void overlayd_remotes_clear(struct agent *a)
{
	for (size_t i = 0; i < a->n_remotes; i++)
		remote_free(&a->remotes[i]);
	a->n_remotes = 0;
}

void overlayd_remotes_load(struct agent *a, const struct nd_etcd_kvs *kvs)
{
	overlayd_remotes_clear(a);
	overlayd_pubs_clear(a);
	for (size_t i = 0; i < kvs->n; i++)
		remote_apply(a, &kvs->kv[i], false, true);
	a->n_dirty = 0;
	a->mirror_full = true;
	a->kernel_dirty = true;
}
