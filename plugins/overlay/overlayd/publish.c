// SPDX-License-Identifier: MIT
/*
 * This host's overlay endpoints in etcd: the local records of each overlay
 * network, with host set to the network's VTEP, under the host's lease.
 * Each pass compares with what was published and sends only the changes.
 */
#include "overlayd.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "log.h"
#include "rundir.h"

struct pubs {
	struct pub *v;
	size_t n;
};

static void pubs_free(struct pub *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

void overlayd_pubs_clear(struct agent *a)
{
	pubs_free(a->pubs, a->n_pubs);
	a->pubs = NULL;
	a->n_pubs = 0;
}

static int pub_add(struct pubs *p, char *key, char *value)
{
	struct pub *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v || !key || !value) {
		free(key);
		free(value);
		return -ENOMEM;
	}
	p->v = v;
	v[p->n++] = (struct pub){ .key = key, .value = value };
	return 0;
}

static int net_endpoints(const struct agent *a, const struct local_net *n, struct pubs *ret)
{
	_cleanup_(closep) int eps = nd_subdir_open(a->run_fd, "endpoints", false);
	_cleanup_(closep) int fd = eps < 0 ? -1 : nd_subdir_open(eps, n->o.name, false);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int r = 0;

	if (fd < 0 || nd_dir_stream(fd, ".", &d) < 0)
		return 0;
	while (r >= 0 && (de = readdir(d))) {
		struct nd_endpoint_record e;
		char *key = NULL;

		if (de->d_name[0] == '.' || nd_endpoint_record_read_file(fd, de->d_name, &e) < 0)
			continue;
		if (!e.host[0]) {
			nd_addr_to_str(&n->o.vtep, e.host);
			if (asprintf(&key, "%s/endpoints/%s/%s/%s", a->conf.prefix, n->o.name,
				     a->host, de->d_name) < 0)
				key = NULL;
			r = pub_add(ret, key, nd_endpoint_record_format(&e));
		}
		nd_endpoint_record_clear(&e);
	}
	return r;
}

static const struct pub *find(const struct pub *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].key, key))
			return &v[i];
	return NULL;
}

int overlayd_publish(struct agent *a)
{
	struct pubs want = { 0 };
	size_t puts = 0, dels = 0;
	int r = 0;

	for (size_t i = 0; i < a->n_nets && r >= 0; i++)
		if (a->nets[i].o.vtep.family)
			r = net_endpoints(a, &a->nets[i], &want);
	for (size_t i = 0; i < want.n && r >= 0; i++) {
		const struct pub *had = find(a->pubs, a->n_pubs, want.v[i].key);

		if (had && !strcmp(had->value, want.v[i].value))
			continue;
		r = nd_etcd_put(a->e, want.v[i].key, want.v[i].value, a->lease);
		puts++;
	}
	for (size_t i = 0; i < a->n_pubs && r >= 0; i++) {
		if (find(want.v, want.n, a->pubs[i].key))
			continue;
		r = nd_etcd_delete(a->e, a->pubs[i].key, false);
		dels++;
	}
	if (r < 0) {
		pubs_free(want.v, want.n);
		return r; /* what was published stays as it was known; the next pass retries */
	}
	if (puts || dels)
		nd_info("overlayd: published %zu, withdrew %zu (%zu local endpoints)", puts, dels,
			want.n);
	overlayd_pubs_clear(a);
	a->pubs = want.v;
	a->n_pubs = want.n;
	a->publish_dirty = false;
	return 0;
}
