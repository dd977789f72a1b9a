// SPDX-License-Identifier: MIT
/*
 * netdock-overlayd: one per host. Reconciles (full read, kernel dump, only
 * the difference) at start, after a lost or compacted watch and when etcd
 * comes back; in between follows the watch and the run dir's inotify.
 * While etcd is away nothing is removed: traffic keeps flowing.
 */
#include "overlayd.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "rundir.h"

#define RETRY_MS 300

uint64_t overlayd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: netdock-overlayd --endpoints URL[,URL...] [--prefix /netdock] [--run-dir DIR]\n"
		"       [--host NAME] [--ttl SECONDS] [--cacert F] [--cert F] [--key F]\n"
		"       [--username U] [--password-file F]\n");
}

static int read_password(const char *path, char *buf, size_t size)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, (int)size, f))
		return -errno ? -errno : -EINVAL;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int split_endpoints(const char *list, struct nd_strv *ret)
{
	_cleanup_(freep) char *copy = strdup(list);
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *t = strtok_r(copy, ",", &save); t && r >= 0; t = strtok_r(NULL, ",", &save))
		r = nd_strv_push(ret, t);
	return r;
}

static int parse_args(int argc, char **argv, struct agent *a)
{
	static const struct option opts[] = {
		{ "endpoints", required_argument, NULL, 'e' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "host", required_argument, NULL, 'H' },
		{ "ttl", required_argument, NULL, 't' },
		{ "cacert", required_argument, NULL, 'C' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "username", required_argument, NULL, 'u' },
		{ "password-file", required_argument, NULL, 'P' },
		{ 0 },
	};
	struct nd_etcd_conf *c = &a->conf;
	int o, r = 0;

	while (r >= 0 && (o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'e':
			r = split_endpoints(optarg, &c->endpoints);
			break;
		case 'p':
			snprintf(c->prefix, sizeof(c->prefix), "%s", optarg);
			break;
		case 'r':
			a->run_dir = optarg;
			break;
		case 'H':
			snprintf(a->host, sizeof(a->host), "%s", optarg);
			break;
		case 't':
			a->ttl = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'C':
			snprintf(c->cacert, sizeof(c->cacert), "%s", optarg);
			break;
		case 'c':
			snprintf(c->cert, sizeof(c->cert), "%s", optarg);
			break;
		case 'k':
			snprintf(c->key, sizeof(c->key), "%s", optarg);
			break;
		case 'u':
			snprintf(c->username, sizeof(c->username), "%s", optarg);
			break;
		case 'P':
			r = read_password(optarg, c->password, sizeof(c->password));
			break;
		default:
			r = -EINVAL;
		}
	}
	while (strlen(c->prefix) > 1 && c->prefix[strlen(c->prefix) - 1] == '/')
		c->prefix[strlen(c->prefix) - 1] = '\0';
	if (r < 0 || optind != argc || c->endpoints.n == 0 || a->ttl < 1 || a->ttl > 3600 ||
	    !nd_name_valid(a->host) || (c->prefix[0] && c->prefix[0] != '/'))
		return -EINVAL;
	return 0;
}

/* The watch's events: remote endpoints, and encrypted networks' keys, acks and requests. */
static void event(void *agent, const struct nd_etcd_event *ev)
{
	struct agent *a = agent;
	size_t n = strlen(a->conf.prefix);

	if (!strncmp(ev->kv.key, a->conf.prefix, n) && !strncmp(ev->kv.key + n, "/endpoints/", 11))
		overlayd_remote_event(a, ev);
	else
		overlayd_ipsec_event(a, ev); /* ignores what is not under <prefix>/ipsec/ */
}

/*
 * Full reconcile: a fresh lease if needed, the endpoints, then one watch on
 * the whole prefix from there: endpoints and key rings share it, so a
 * rotation reaches every host within the watch's latency (the IPAM keys
 * it also carries are few: a host claims blocks, not addresses).
 */
static int reconnect(struct agent *a)
{
	_cleanup_(freep) char *prefix = overlayd_endpoints_prefix(a);
	_cleanup_(freep) char *all = NULL;
	struct nd_etcd_kvs kvs = { 0 };
	int r = 0;

	nd_etcd_watch_close(steal_ptr(a->w));
	if (!prefix || asprintf(&all, "%s/", a->conf.prefix) < 0)
		return -ENOMEM;
	if (a->lease && nd_etcd_lease_keepalive(a->e, a->lease) == -ENOENT)
		a->lease = 0;
	if (!a->lease)
		r = nd_etcd_lease_grant(a->e, a->ttl, &a->lease);
	if (r >= 0)
		r = nd_etcd_get(a->e, prefix, true, &kvs);
	if (r < 0)
		return r;
	overlayd_nets_load(a);
	overlayd_remotes_load(a, &kvs);
	a->rev = kvs.revision;
	nd_etcd_kvs_clear(&kvs);
	r = overlayd_publish(a);
	if (r == -ENOENT)
		a->lease = 0; /* expired between grant and put: the next attempt takes a new one */
	if (r >= 0)
		r = nd_etcd_watch_open(a->e, all, a->rev + 1, &a->w);
	overlayd_ipsec_sync(a, true);
	overlayd_kernel_sync(a);
	overlayd_mirror_full(a);
	a->next_keepalive_ms = overlayd_now_ms() + a->ttl * 1000 / 3;
	if (r >= 0)
		nd_info("overlayd: reconciled at revision %lld: %zu remote, %zu local endpoints",
			(long long)a->rev, a->n_remotes, a->n_pubs);
	return r;
}

static void lost(struct agent *a, const char *why, int r)
{
	nd_warn("overlayd: %s: %s%s%s; reconciling when etcd answers", why, strerror(-r),
		r == -EHOSTUNREACH ? ", tried " : "",
		r == -EHOSTUNREACH ? nd_etcd_tried(a->e) : "");
	nd_etcd_watch_close(steal_ptr(a->w));
	if (r == -ENOENT)
		a->lease = 0;
}

/*
 * Our own mirror writes (their temp names, and the remote records they
 * become) are no news: without this filter each remote event would have
 * the agent read every record of the network again.
 */
static bool news(const struct agent *a, const struct inotify_event *ev)
{
	if (!ev->len || !ev->name[0] || (ev->mask & IN_Q_OVERFLOW))
		return true;
	if (strstr(ev->name, ".tmp."))
		return false;
	return !overlayd_remote_file(a, ev->name);
}

/* Drains inotify; a change to a local record or to overlay/ is published and reloads the networks. */
static void run_dir_changed(struct agent *a)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool relevant = false;
	ssize_t n;

	while ((n = read(a->ino_fd, buf, sizeof(buf))) > 0)
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			relevant = relevant || news(a, ev);
			p += sizeof(*ev) + ev->len;
		}
	if (!relevant)
		return;
	a->publish_dirty = true;
	if (overlayd_nets_load(a) > 0) {
		a->kernel_dirty = true;
		a->mirror_full = true;
	}
}

static bool signalled(const struct agent *a)
{
	struct signalfd_siginfo si;

	return read(a->sig_fd, &si, sizeof(si)) == sizeof(si);
}

/* One turn of the loop while the watch runs. Returns false to stop. */
static bool step(struct agent *a)
{
	int fds[3] = { a->ino_fd, a->sig_fd, overlayd_ipsec_fd(a) }, r;
	int64_t wait = (int64_t)a->next_keepalive_ms - (int64_t)overlayd_now_ms();

	if (wait > overlayd_ipsec_timeout_ms(a))
		wait = overlayd_ipsec_timeout_ms(a);
	nd_etcd_watch_wait(a->w, fds, fds[2] < 0 ? 2 : 3, wait < 0 ? 0 : (int)wait);
	if (signalled(a))
		return false;
	run_dir_changed(a);
	overlayd_ipsec_kernel_changed(a);
	r = nd_etcd_watch_dispatch(a->w, event, a, &a->rev);
	if (r < 0) {
		lost(a, r == -ESTALE ? "watch compacted or cancelled" : "watch ended", r);
		return true;
	}
	if (a->publish_dirty && (r = overlayd_publish(a)) < 0) {
		lost(a, "publishing", r);
		return true;
	}
	if (overlayd_now_ms() >= a->next_keepalive_ms) {
		r = nd_etcd_lease_keepalive(a->e, a->lease);
		a->next_keepalive_ms = overlayd_now_ms() + a->ttl * 1000 / 3;
		if (r < 0) {
			lost(a, "lease keepalive", r);
			return true;
		}
	}
	if (nd_etcd_current(a->e) != nd_etcd_watch_endpoint(a->w)) {
		lost(a, "the watch's member stopped answering", -EHOSTUNREACH);
		return true;
	}
	overlayd_ipsec_sync(a, a->kernel_dirty);
	if (a->kernel_dirty)
		overlayd_kernel_sync(a);
	if (a->mirror_full)
		overlayd_mirror_full(a);
	else if (a->n_dirty)
		overlayd_mirror_dirty(a);
	return true;
}

/* etcd is away: local network changes still reach the kernel; retry after a pause. */
static bool wait_for_etcd(struct agent *a)
{
	struct pollfd p[2] = { { .fd = a->ino_fd, .events = POLLIN },
			       { .fd = a->sig_fd, .events = POLLIN } };

	if (poll(p, 2, RETRY_MS) > 0 && signalled(a))
		return false;
	run_dir_changed(a);
	if (a->kernel_dirty)
		overlayd_kernel_sync(a);
	if (a->mirror_full)
		overlayd_mirror_full(a);
	return true;
}

static int run(struct agent *a)
{
	bool was_down = false;

	for (;;) {
		if (!a->w) {
			int r = reconnect(a);

			if (r < 0) {
				if (!was_down)
					lost(a, "etcd", r);
				was_down = true;
				if (!wait_for_etcd(a))
					return 0;
				continue;
			}
			was_down = false;
		}
		if (!step(a))
			return 0;
	}
}

static int setup(struct agent *a)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	a->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	a->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (a->sig_fd < 0 || a->ino_fd < 0)
		return -errno;
	r = nd_mkdir_p(a->run_dir);
	a->run_fd = r < 0 ? r : nd_dir_open(a->run_dir, true);
	if (a->run_fd < 0)
		return a->run_fd;
	r = nd_nl_open(&a->nl);
	return r < 0 ? r : nd_etcd_open(&a->conf, &a->e);
}

static void teardown(struct agent *a)
{
	nd_etcd_watch_close(a->w);
	overlayd_ipsec_free(a);
	nd_etcd_close(a->e);
	nd_nl_close(a->nl);
	overlayd_remotes_clear(a);
	free(a->remotes);
	overlayd_pubs_clear(a);
	overlayd_nets_clear(a);
	free(a->dirty);
	nd_etcd_conf_clear(&a->conf);
	for (int *fd = &a->run_fd; fd <= &a->sig_fd; fd++)
		if (*fd >= 0)
			close(*fd);
}

int main(int argc, char **argv)
{
	const char *env = getenv("NETDOCK_RUN_DIR");
	struct agent a = { .ttl = 3, .run_fd = -1, .ino_fd = -1, .sig_fd = -1 };
	int r;

	a.run_dir = env && *env ? env : ND_RUN_DIR_DEFAULT;
	a.conf.timeout_ms = 2000;
	nd_host_name(a.host);
	snprintf(a.conf.prefix, sizeof(a.conf.prefix), "%s", ND_ETCD_PREFIX_DEFAULT);
	if (parse_args(argc, argv, &a) < 0) {
		usage();
		nd_etcd_conf_clear(&a.conf);
		return 2;
	}
	r = setup(&a);
	if (r < 0)
		nd_err("overlayd: starting: %s", strerror(-r));
	else
		r = run(&a);
	teardown(&a);
	return r < 0 ? 1 : 0;
}
