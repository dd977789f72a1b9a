// SPDX-License-Identifier: MIT
/*
 * When netdock-overlayd runs an encrypted network's pass: a key ring, ack
 * or rotation request that changed in etcd (an event of the agent's one
 * watch, within its latency on every host), a change of the hosts with
 * endpoints on the network, the rotation schedule, a retry after a
 * failure, and everything at a full reconcile (start, lost or compacted
 * watch, etcd back, local networks changed) and at the slow fallback pass.
 */
#include "overlayd-ipsec.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* Docker's swarm rotates its overlay keys every 12 hours. */
#define IPSEC_INTERVAL_DEFAULT (12 * 3600)
/*
 * The slow full pass. Everything etcd changes arrives through the watch
 * (and a lost watch is a full reconcile), and what the kernel loses (another
 * tool's `ip xfrm state flush`) through its XFRM notifications, each
 * answered by a full pass once they settle. This pass is for what neither
 * says: a notification socket that could not be opened, or a change that
 * sends none (an SA added over one of netdock's ids).
 */
#define IPSEC_POLL_DEFAULT 60
/* A flush is one notification per SA and policy: one pass after the last of a burst. */
#define IPSEC_KERNEL_SETTLE_MS 100

static uint64_t env_seconds(const char *name, uint64_t def)
{
	const char *env = getenv(name);
	unsigned long long v = env ? strtoull(env, NULL, 10) : 0;

	return v ? v : def;
}

static struct overlayd_ipsec *ipsec_of(struct agent *a)
{
	struct overlayd_ipsec *s = a->ipsec;

	int r;

	if (!s && (s = a->ipsec = calloc(1, sizeof(*s)))) {
		s->interval = env_seconds("NETDOCK_IPSEC_INTERVAL", IPSEC_INTERVAL_DEFAULT);
		s->poll_ms = env_seconds("NETDOCK_IPSEC_POLL", IPSEC_POLL_DEFAULT) * 1000;
		s->monitor_fd = -1;
	}
	if (!s || s->x || overlayd_now_ms() < s->next_poll_ms)
		return s && s->x ? s : NULL;
	r = nd_xfrm_open(&s->x);
	if (r < 0) {
		/* A kernel without XFRM (no xfrm_user): asked again at the slow pass's pace. */
		nd_warn("overlayd: ipsec: XFRM netlink: %s", strerror(-r));
		s->next_poll_ms = overlayd_now_ms() + s->poll_ms;
		return NULL;
	}
	r = nd_xfrm_monitor_open(&s->monitor_fd);
	if (r < 0)
		nd_warn("overlayd: ipsec: XFRM notifications: %s; the kernel is read every %llu s",
			strerror(-r), (unsigned long long)(s->poll_ms / 1000));
	return s;
}

void overlayd_ipsec_peers_keep(struct ipsec_net *st, const struct nd_addr *peers, size_t n)
{
	memcpy(st->peers, peers, n * sizeof(*peers));
	st->n_peers = n;
}

static bool peers_changed(const struct ipsec_net *st, const struct nd_addr *peers, size_t n)
{
	if (n != st->n_peers)
		return true;
	for (size_t i = 0; i < n; i++) {
		bool found = false;

		for (size_t j = 0; j < st->n_peers && !found; j++)
			found = nd_addr_equal(&peers[i], &st->peers[j]);
		if (!found)
			return true;
	}
	return false;
}

/* Whether a network needs a pass now; forgets networks that are no longer local and encrypted. */
static bool due(struct agent *a, struct overlayd_ipsec *s, uint64_t now)
{
	struct nd_addr peers[IPSEC_PEERS_MAX];
	bool any = false;

	for (size_t i = 0; i < s->n_nets; i++)
		s->nets[i].seen = false;
	for (size_t i = 0; i < a->n_nets; i++) {
		struct ipsec_net *st = a->nets[i].o.encrypted ?
					       overlayd_ipsec_state(s, a->nets[i].o.name, true) :
					       NULL;

		if (!st)
			continue;
		st->seen = true;
		if (peers_changed(st, peers, overlayd_ipsec_peers(a, &a->nets[i], peers)))
			st->apply = true;
		if (st->due_ms && now >= st->due_ms) {
			st->advance = true;
			st->due_ms = 0;
		}
		any |= (st->apply || st->advance) && now >= st->retry_ms;
	}
	for (size_t i = 0; i < s->n_nets; i++)
		if (!s->nets[i].seen) {
			s->nets[i] = s->nets[--s->n_nets];
			i--;
		}
	return any;
}

void overlayd_ipsec_sync(struct agent *a, bool full)
{
	struct overlayd_ipsec *s = ipsec_of(a);
	uint64_t now = overlayd_now_ms();
	bool poll;

	if (!s)
		return;
	poll = now >= s->next_poll_ms;
	if (!due(a, s, now) && !full && !poll)
		return;
	overlayd_ipsec_pass(a, s, full || poll, full);
	if (full || poll)
		s->next_poll_ms = overlayd_now_ms() + s->poll_ms;
}

void overlayd_ipsec_event(struct agent *a, const struct nd_etcd_event *ev)
{
	struct overlayd_ipsec *s = a->ipsec;
	size_t plen = strlen(a->conf.prefix);
	const char *p = ev->kv.key + plen, *leaf;
	char net[CNI_MAX_NAME];
	struct ipsec_net *st;

	/* <prefix>/ipsec/<net>/<leaf>; a network this host does not have is none of its business. */
	if (!s || strncmp(ev->kv.key, a->conf.prefix, plen) || strncmp(p, "/ipsec/", 7))
		return;
	p += 7;
	leaf = strchr(p, '/');
	if (!leaf || (size_t)(leaf - p) >= sizeof(net))
		return;
	snprintf(net, sizeof(net), "%.*s", (int)(leaf - p), p);
	st = overlayd_ipsec_state(s, net, false);
	if (!st)
		return;
	leaf++;
	if (!strcmp(leaf, "ring"))
		st->apply = true;
	/* Every change under the network may let the rotation move: an ack, a host's ack
	   gone with its lease, a request, a new ring. */
	st->advance = true;
	st->retry_ms = 0; /* etcd answers again */
	nd_debug("overlayd: ipsec %s: %s %s", net, ev->deleted ? "deleted" : "put", leaf);
}

int overlayd_ipsec_fd(const struct agent *a)
{
	return a->ipsec && a->ipsec->x ? a->ipsec->monitor_fd : -1;
}

/* An SA or policy may have gone or changed (ours too: the pass then finds nothing to do). */
void overlayd_ipsec_kernel_changed(struct agent *a)
{
	struct overlayd_ipsec *s = a->ipsec;
	uint64_t soon;
	int r;

	if (!s || s->monitor_fd < 0)
		return;
	r = nd_xfrm_monitor_drain(s->monitor_fd);
	if (r < 0)
		nd_warn("overlayd: ipsec: XFRM notifications: %s", strerror(-r));
	if (r == 0)
		return;
	soon = overlayd_now_ms() + IPSEC_KERNEL_SETTLE_MS;
	if (soon < s->next_poll_ms)
		s->next_poll_ms = soon;
}

int overlayd_ipsec_timeout_ms(const struct agent *a)
{
	const struct overlayd_ipsec *s = a->ipsec;
	uint64_t now = overlayd_now_ms(), next;

	if (!s)
		return IPSEC_RETRY_MS;
	next = s->next_poll_ms;
	for (size_t i = 0; i < s->n_nets; i++) {
		const struct ipsec_net *st = &s->nets[i];

		if (st->due_ms && st->due_ms < next)
			next = st->due_ms;
		if ((st->apply || st->advance) && st->retry_ms < next)
			next = st->retry_ms;
	}
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

void overlayd_ipsec_free(struct agent *a)
{
	if (!a->ipsec)
		return;
	nd_xfrm_close(a->ipsec->x);
	if (a->ipsec->monitor_fd >= 0)
		close(a->ipsec->monitor_fd);
	free(a->ipsec->nets);
	free(steal_ptr(a->ipsec));
}
