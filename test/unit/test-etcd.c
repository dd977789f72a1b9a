// SPDX-License-Identifier: MIT
/* The etcd client against a real etcd on 127.0.0.1 (private data dir, stopped by PID). */
#include "etcd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

struct server {
	pid_t pid;
	char dir[64];
	char client[64];
};

static int start_etcd(struct server *s)
{
	char peer[64], data[96], log[96], cluster[96];
	unsigned port = 20000 + (unsigned)(getpid() % 20000);

	snprintf(s->dir, sizeof(s->dir), "/tmp/nd-etcd-unit-XXXXXX");
	if (!mkdtemp(s->dir))
		return -errno;
	snprintf(s->client, sizeof(s->client), "http://127.0.0.1:%u", port);
	snprintf(peer, sizeof(peer), "http://127.0.0.1:%u", port + 1);
	snprintf(cluster, sizeof(cluster), "unit=%s", peer);
	snprintf(data, sizeof(data), "%s/data", s->dir);
	snprintf(log, sizeof(log), "%s/log", s->dir);
	s->pid = fork();
	if (s->pid < 0)
		return -errno;
	if (s->pid == 0) {
		freopen(log, "w", stderr);
		freopen("/dev/null", "w", stdout);
		execlp("etcd", "etcd", "--name", "unit", "--data-dir", data, "--listen-client-urls",
		       s->client, "--advertise-client-urls", s->client, "--listen-peer-urls", peer,
		       "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
		       (char *)NULL);
		_exit(127);
	}
	return 0;
}

static void stop_etcd(struct server *s)
{
	char cmd[128];

	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s->dir);
}

static int wait_ready(struct nd_etcd *e)
{
	struct nd_etcd_kvs kvs;

	for (int i = 0; i < 200; i++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		if (nd_etcd_get(e, "/ready", false, &kvs) == 0) {
			nd_etcd_kvs_clear(&kvs);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

struct seen {
	int puts, deletes;
	char last[64];
};

static void on_event(void *data, const struct nd_etcd_event *ev)
{
	struct seen *s = data;

	if (ev->deleted)
		s->deletes++;
	else
		s->puts++;
	snprintf(s->last, sizeof(s->last), "%s=%s", ev->kv.key, ev->kv.value);
}

static void kv_tests(struct tap *t, struct nd_etcd *e)
{
	struct nd_etcd_kvs kvs = { 0 };
	char *holder = NULL;

	TAP_OK(t, nd_etcd_put(e, "/t/a", "one", 0) == 0, "put");
	TAP_OK(t, nd_etcd_put(e, "/t/b", "two\nlines", 0) == 0, "put with a newline");
	TAP_OK(t, nd_etcd_get(e, "/t/", true, &kvs) == 0 && kvs.n == 2, "prefix get: 2 keys");
	if (kvs.n == 2) {
		TAP_STR_EQ(t, kvs.kv[0].key, "/t/a", "first key");
		TAP_STR_EQ(t, kvs.kv[1].value, "two\nlines", "second value");
	}
	nd_etcd_kvs_clear(&kvs);
	TAP_OK(t, nd_etcd_create(e, "/t/c", "mine", 0, NULL) == 0, "create a new key");
	TAP_OK(t, nd_etcd_create(e, "/t/c", "theirs", 0, &holder) == -EEXIST,
	       "create an existing key: -EEXIST");
	TAP_STR_EQ(t, holder, "mine", "the holder's value");
	free(holder);
	TAP_OK(t, nd_etcd_delete_value(e, "/t/c", "theirs") == -EEXIST,
	       "delete_value with another value: -EEXIST");
	TAP_OK(t, nd_etcd_delete_value(e, "/t/c", "mine") == 0, "delete_value with ours");
	TAP_OK(t, nd_etcd_get(e, "/t/c", false, &kvs) == 0 && kvs.n == 0, "it is gone");
	nd_etcd_kvs_clear(&kvs);
	TAP_OK(t, nd_etcd_delete(e, "/t/", true) == 0, "prefix delete");
	TAP_OK(t, nd_etcd_get(e, "/t/", true, &kvs) == 0 && kvs.n == 0, "prefix empty");
	nd_etcd_kvs_clear(&kvs);
}

static void lease_tests(struct tap *t, struct nd_etcd *e)
{
	struct nd_etcd_kvs kvs = { 0 };
	int64_t id = 0;

	TAP_OK(t, nd_etcd_lease_grant(e, 5, &id) == 0 && id, "lease grant");
	TAP_OK(t, nd_etcd_put(e, "/l/x", "v", id) == 0, "put under the lease");
	TAP_OK(t, nd_etcd_lease_keepalive(e, id) == 0, "keepalive");
	TAP_OK(t, nd_etcd_lease_revoke(e, id) == 0, "revoke");
	TAP_OK(t, nd_etcd_get(e, "/l/x", false, &kvs) == 0 && kvs.n == 0,
	       "the lease's key went with it");
	nd_etcd_kvs_clear(&kvs);
	TAP_OK(t, nd_etcd_lease_keepalive(e, id) == -ENOENT, "keepalive of a gone lease: -ENOENT");
}

static void watch_tests(struct tap *t, struct nd_etcd *e)
{
	struct nd_etcd_watch *w = NULL;
	struct seen s = { 0 };
	int64_t rev = 0;
	int r = 0;

	TAP_OK(t, nd_etcd_watch_open(e, "/w/", 0, &w) == 0, "watch open");
	/* The created message first, then the events. */
	for (int i = 0; i < 20 && rev == 0 && r >= 0; i++) {
		nd_etcd_watch_wait(w, NULL, 0, 100);
		r = nd_etcd_watch_dispatch(w, on_event, &s, &rev);
	}
	nd_etcd_put(e, "/w/k", "v1", 0);
	nd_etcd_delete(e, "/w/k", false);
	nd_etcd_put(e, "/other", "x", 0);
	for (int i = 0; i < 40 && s.deletes == 0 && r >= 0; i++) {
		nd_etcd_watch_wait(w, NULL, 0, 100);
		r = nd_etcd_watch_dispatch(w, on_event, &s, &rev);
	}
	TAP_OK(t, s.puts == 1 && s.deletes == 1, "watch: one put, one delete (got %d, %d)", s.puts,
	       s.deletes);
	nd_etcd_watch_close(w);
}

static void failover_tests(struct tap *t, const char *good)
{
	struct nd_etcd_conf c = { .timeout_ms = 500 };
	struct nd_etcd *e = NULL;
	struct nd_etcd_kvs kvs = { 0 };

	nd_strv_push(&c.endpoints, "http://127.0.0.1:1");
	nd_strv_push(&c.endpoints, good);
	TAP_OK(t, nd_etcd_open(&c, &e) == 0, "open with a dead first endpoint");
	TAP_OK(t, nd_etcd_get(e, "/x", false, &kvs) == 0, "the second endpoint answers");
	nd_etcd_kvs_clear(&kvs);
	nd_etcd_close(e);
	nd_etcd_conf_clear(&c);
	c = (struct nd_etcd_conf){ .timeout_ms = 300 };
	nd_strv_push(&c.endpoints, "http://127.0.0.1:1");
	nd_strv_push(&c.endpoints, "http://127.0.0.1:3");
	nd_etcd_open(&c, &e);
	TAP_OK(t, nd_etcd_put(e, "/x", "y", 0) == -EHOSTUNREACH, "all down: -EHOSTUNREACH");
	TAP_OK(t, strstr(nd_etcd_tried(e), "127.0.0.1:1 (") && strstr(nd_etcd_tried(e), ":3 ("),
	       "tried names both: %s", nd_etcd_tried(e));
	nd_etcd_close(e);
	nd_etcd_conf_clear(&c);
}

static void auth_tests(struct tap *t, const char *url)
{
	struct nd_etcd_conf c = { .timeout_ms = 1000 };
	struct nd_etcd *e = NULL;
	char cmd[512];
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "ETCDCTL_API=3 etcdctl --endpoints=%s user add root:unitpw >/dev/null && "
		 "ETCDCTL_API=3 etcdctl --endpoints=%s user grant-role root root >/dev/null && "
		 "ETCDCTL_API=3 etcdctl --endpoints=%s auth enable >/dev/null",
		 url, url, url);
	rc = system(cmd);
	TAP_OK(t, rc == 0, "etcdctl enabled auth");
	nd_strv_push(&c.endpoints, url);
	nd_etcd_open(&c, &e);
	TAP_OK(t, nd_etcd_put(e, "/a", "b", 0) == -EACCES, "no credentials: -EACCES");
	nd_etcd_close(e);
	snprintf(c.username, sizeof(c.username), "root");
	snprintf(c.password, sizeof(c.password), "wrong");
	nd_etcd_open(&c, &e);
	TAP_OK(t, nd_etcd_put(e, "/a", "b", 0) == -EACCES, "wrong password: -EACCES");
	nd_etcd_close(e);
	snprintf(c.password, sizeof(c.password), "unitpw");
	nd_etcd_open(&c, &e);
	TAP_OK(t, nd_etcd_put(e, "/a", "b", 0) == 0, "with the password: put works");
	nd_etcd_close(e);
	nd_etcd_conf_clear(&c);
}

int main(void)
{
	struct tap t = { 0 };
	struct server s = { 0 };
	struct nd_etcd_conf c = { .timeout_ms = 1000 };
	struct nd_etcd *e = NULL;

	TAP_OK(&t, start_etcd(&s) == 0, "etcd started");
	nd_strv_push(&c.endpoints, s.client);
	TAP_OK(&t, nd_etcd_open(&c, &e) == 0, "client open");
	TAP_OK(&t, e && wait_ready(e) == 0, "etcd answers");
	if (e && t.failed == 0) {
		kv_tests(&t, e);
		lease_tests(&t, e);
		watch_tests(&t, e);
		failover_tests(&t, s.client);
		auth_tests(&t, s.client);
	}
	nd_etcd_close(e);
	nd_etcd_conf_clear(&c);
	stop_etcd(&s);
	return tap_done(&t);
}
