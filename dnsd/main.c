// SPDX-License-Identifier: MIT
/* netdock-dnsd: embedded DNS for netdock networks, following the run dir. */
#include "dnsd.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "closer.h"
#include "log.h"
#include "rundir.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: netdock-dnsd [OPTIONS]\n"
		"Embedded DNS for netdock networks: container names, links and network-scoped\n"
		"aliases, scoped per network; everything else is forwarded.\n\n"
		"  --run-dir DIR       run dir to follow (default $NETDOCK_RUN_DIR or /run/netdock)\n"
		"  --port N            port to listen on (default 53)\n"
		"  --user NAME         user to run as after binding (default nobody)\n"
		"  --resolv-conf FILE  upstream servers (default /etc/resolv.conf)\n"
		"  --tcp-idle-ms N     close TCP connections idle this long (default 3000)\n"
		"  --tcp-max N         TCP connections at most; the oldest idle goes first (default 128)\n"
		"  --help              this text\n");
}

/* A whole decimal number in [min, max]; -1 otherwise. */
static long number(const char *s, long min, long max)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s && !*end && v >= min && v <= max ? v : -1;
}

static int parse_args(int argc, char **argv, struct dnsd *d, const char **user)
{
	static const struct option opts[] = {
		{ "run-dir", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "resolv-conf", required_argument, NULL, 'c' },
		{ "tcp-idle-ms", required_argument, NULL, 'i' },
		{ "tcp-max", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long v = 0;
	int c;

	while (v >= 0 && (c = getopt_long(argc, argv, "r:p:u:c:i:m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			snprintf(d->run_dir, sizeof(d->run_dir), "%s", optarg);
			break;
		case 'p':
			d->port = (uint16_t)(v = number(optarg, 1, 65535));
			break;
		case 'u':
			*user = optarg;
			break;
		case 'i':
			d->tcp_idle_ms = (uint64_t)(v = number(optarg, 1, 3600000));
			break;
		case 'm':
			d->tcp_max = (size_t)(v = number(optarg, 1, 65536));
			break;
		case 'c':
			snprintf(d->resolv_conf, sizeof(d->resolv_conf), "%s", optarg);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -EINVAL;
		}
	}
	return v < 0 || optind < argc ? -EINVAL : 0;
}

static int start(struct dnsd *d, const char *user)
{
	int r;

	d->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epoll_fd < 0)
		return -errno;
	/* Opened once as root: the path above it may be closed to the user it runs as. */
	d->run_fd = nd_dir_open(d->run_dir, true);
	if (d->run_fd < 0)
		return nd_log_errno(d->run_fd, "opening run dir %s: %s", d->run_dir,
				    strerror(-d->run_fd));
	d->n_upstreams = (size_t)dnsd_resolv_load(d->resolv_conf, d->upstreams, DNSD_MAX_UPSTREAMS);
	r = dnsd_netns_init(d);
	if (r >= 0)
		r = dnsd_watch_init(d);
	if (r >= 0)
		r = dnsd_forward_init(d);
	if (r >= 0)
		r = dnsd_tcp_init(d);
	if (r < 0)
		return nd_log_errno(r, "starting: %s", strerror(-r));
	r = dnsd_drop_privileges(user);
	if (r < 0)
		return nd_log_errno(r, "dropping privileges to %s: %s", user, strerror(-r));
	/*
	 * Plugins of this run dir hand it their netfilter sockets' closing
	 * waits (closer.h); its thread starts with the privileges just dropped.
	 */
	r = nd_closer_start(d->run_dir);
	if (r == -EADDRINUSE)
		nd_info("another netdock-dnsd closes the sockets of %s's plugins", d->run_dir);
	else if (r < 0)
		nd_warn("closer for %s: %s; plugins close their netfilter sockets themselves",
			d->run_dir, strerror(-r));
	/*
	 * The first read is made as the user it runs as: what it cannot read now it
	 * could not read after the next change either, and says so from the start.
	 */
	r = dnsd_watch_sync(d);
	if (r < 0)
		return nd_log_errno(r, "reading %s: %s", d->run_dir, strerror(-r));
	nd_info("serving %zu networks from %s, %zu upstreams", d->view.n_nets, d->run_dir,
		d->n_upstreams);
	return 0;
}

int main(int argc, char **argv)
{
	struct dnsd *d = calloc(1, sizeof(*d));
	const char *user = "nobody";
	int r;

	if (!d)
		return 1;
	d->run_fd = d->epoll_fd = -1;
	snprintf(d->run_dir, sizeof(d->run_dir), "%s", nd_run_dir_path(NULL));
	snprintf(d->resolv_conf, sizeof(d->resolv_conf), "/etc/resolv.conf");
	d->port = 53;
	d->tcp_idle_ms = DNSD_TCP_IDLE_MS;
	d->tcp_max = DNSD_TCP_MAX;
	if (parse_args(argc, argv, d, &user) < 0) {
		usage(stderr);
		free(d);
		return 2;
	}
	r = start(d, user);
	if (r >= 0)
		r = dnsd_loop_run(d);
	dnsd_tcp_close(d);
	dnsd_listeners_close(d);
	dnsd_forward_close(d);
	dnsd_watch_close(d);
	dnsd_netns_close(d);
	dnsd_loop_close(d);
	dnsd_view_free(&d->view);
	if (d->epoll_fd >= 0)
		close(d->epoll_fd);
	if (d->run_fd >= 0)
		close(d->run_fd);
	free(d);
	return r < 0 ? 1 : 0;
}
