// SPDX-License-Identifier: MIT
/*
 * The encrypt suites' driver: runs one step of common/ipsec.h and
 * common/xfrm.h in the current netns, as netdock-overlayd will, with the
 * key ring in a file standing for its etcd value.
 *   ipsec-tool probe
 *   ipsec-tool nft PORT VNI [del]
 *   ipsec-tool ring FILE new|begin|promote|retire
 *   ipsec-tool apply FILE VNI PORT LOCAL PEER...
 *   ipsec-tool sas FILE VNI PORT LOCAL PEER...   (the ring's SAs only, policy untouched)
 *   ipsec-tool clear VNI PORT LOCAL PEER ID...
 *   ipsec-tool store ENDPOINT NET ensure|rotate|advance INTERVAL
 *   ipsec-tool sync ENDPOINT NET HOST NETNS VNI PORT LOCAL PEER...
 * (store and sync talk to etcd from the current netns; sync then reconciles
 * the kernel of NETNS as netdock-overlayd does, prints what it kept, added
 * and removed, and acks what it installed.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "cleanup.h"
#include "ipsec-nft.h"
#include "ipsec-store.h"
#include "ipsec.h"
#include "nl.h"
#include "xfrm.h"

static int fail(const char *what, const struct nd_xfrm *x, int r)
{
	fprintf(stderr, "ipsec-tool: %s: %s (%s)\n", what, nd_xfrm_reason(x, r), strerror(-r));
	return 1;
}

static int probe(void)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	int r = nd_xfrm_open(&x);

	if (r >= 0)
		r = nd_xfrm_esp_probe(x, AF_INET);
	if (r < 0)
		return fail("ESP with " ND_XFRM_AEAD, x, r);
	printf("esp: supported\n");
	return 0;
}

static int nft(int argc, char **argv)
{
	struct nd_nft_txn *txn = NULL;
	char err[256] = "";
	unsigned port = (unsigned)atoi(argv[0]), vni = (unsigned)atoi(argv[1]);
	int r = nd_nft_txn_new(&txn);

	if (r >= 0)
		r = nd_ipsec_nft_declare(txn);
	if (r >= 0)
		r = argc > 2 ? nd_ipsec_nft_del(txn, (uint16_t)port, vni) :
			       nd_ipsec_nft_add(txn, (uint16_t)port, vni);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	nd_nft_txn_free(txn);
	if (r < 0)
		fprintf(stderr, "ipsec-tool: nft: %s %s\n", strerror(-r), err);
	return r < 0;
}

static int ring_read(const char *path, struct nd_ipsec_ring *ring)
{
	_cleanup_(fclosep) FILE *f = fopen(path, "re");
	_cleanup_(cJSON_Deletep) cJSON *j = NULL;
	char buf[4096];
	const char *field = "";
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	explicit_bzero(buf, sizeof(buf));
	if (nd_ipsec_ring_from_json(j, ring, &field) < 0) {
		fprintf(stderr, "ipsec-tool: %s: bad %s\n", path, field);
		return -EINVAL;
	}
	return 0;
}

static int ring_write(const char *path, const struct nd_ipsec_ring *ring)
{
	_cleanup_(cJSON_Deletep) cJSON *j = nd_ipsec_ring_to_json(ring);
	_cleanup_(freep) char *s = j ? cJSON_PrintUnformatted(j) : NULL;
	_cleanup_(fclosep) FILE *f = s ? fopen(path, "we") : NULL;

	if (!f || fputs(s, f) < 0)
		return -EIO;
	explicit_bzero(s, strlen(s));
	return 0;
}

static int ring(const char *path, const char *step)
{
	struct nd_ipsec_ring ring = { 0 };
	int r = strcmp(step, "new") ? ring_read(path, &ring) : 0;

	if (r >= 0 && (!strcmp(step, "new") || !strcmp(step, "begin")))
		r = nd_ipsec_ring_begin(&ring, (uint64_t)time(NULL));
	if (r >= 0 && !strcmp(step, "new"))
		r = nd_ipsec_ring_promote(&ring);
	if (r >= 0 && !strcmp(step, "promote"))
		r = nd_ipsec_ring_promote(&ring);
	if (r >= 0 && !strcmp(step, "retire"))
		r = nd_ipsec_ring_retire(&ring);
	if (r >= 0)
		r = ring_write(path, &ring);
	if (r >= 0)
		printf("primary %u, %zu keys\n", ring.primary, ring.n);
	nd_ipsec_ring_wipe(&ring);
	if (r < 0)
		fprintf(stderr, "ipsec-tool: ring %s: %s\n", step, strerror(-r));
	return r < 0;
}

static int net_parse(char **argv, struct nd_ipsec_net *n)
{
	n->vni = (unsigned)atoi(argv[0]);
	n->port = (uint16_t)atoi(argv[1]);
	return nd_addr_parse(argv[2], &n->local);
}

static int peers_parse(int argc, char **argv, struct nd_addr *peers)
{
	for (int i = 0; i < argc; i++)
		if (i >= 16 || nd_addr_parse(argv[i], &peers[i]) < 0)
			return -EINVAL;
	return argc;
}

static int apply(int argc, char **argv, bool sas_only)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	struct nd_ipsec_ring ring = { 0 };
	struct nd_ipsec_net n;
	struct nd_addr peers[16];
	int n_peers = peers_parse(argc - 4, argv + 4, peers);
	int r = n_peers < 0 ? n_peers : net_parse(argv + 1, &n);

	if (r >= 0)
		r = ring_read(argv[0], &ring);
	if (r >= 0)
		r = nd_xfrm_open(&x);
	for (size_t k = 0; r >= 0 && sas_only && k < ring.n; k++)
		for (int p = 0; r >= 0 && p < n_peers; p++)
			r = nd_ipsec_peer_add(x, &n, &peers[p], &ring.keys[k]);
	if (r >= 0 && !sas_only)
		r = nd_ipsec_apply(x, &n, &ring, peers, (size_t)n_peers);
	nd_ipsec_ring_wipe(&ring);
	return r < 0 ? fail("apply", x, r) : 0;
}

static int clear(int argc, char **argv)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	struct nd_ipsec_net n;
	struct nd_addr peer;
	int r = net_parse(argv, &n);

	if (r >= 0)
		r = nd_addr_parse(argv[3], &peer);
	if (r >= 0)
		r = nd_xfrm_open(&x);
	for (int i = 4; r >= 0 && i < argc; i++)
		r = nd_ipsec_peer_del(x, &n, &peer, (uint32_t)atoi(argv[i]));
	if (r >= 0)
		r = nd_ipsec_policy_remove(x, &n);
	return r < 0 ? fail("clear", x, r) : 0;
}

static int etcd_open(const char *endpoint, struct nd_etcd **ret)
{
	struct nd_etcd_conf conf = { 0 };
	int r = nd_strv_push(&conf.endpoints, endpoint);

	snprintf(conf.prefix, sizeof(conf.prefix), "%s", ND_ETCD_PREFIX_DEFAULT);
	if (r >= 0)
		r = nd_etcd_open(&conf, ret);
	nd_etcd_conf_clear(&conf);
	return r;
}

static int store(int argc, char **argv)
{
	_cleanup_(nd_etcd_closep) struct nd_etcd *e = NULL;
	struct nd_ipsec_ring ring = { 0 };
	const char *net = argv[1], *step = argv[2];
	int r = etcd_open(argv[0], &e);

	if (r >= 0 && !strcmp(step, "ensure"))
		r = nd_ipsec_store_ensure(e, net, (uint64_t)time(NULL), &ring);
	else if (r >= 0 && !strcmp(step, "rotate"))
		r = nd_ipsec_store_request(e, net);
	else if (r >= 0 && !strcmp(step, "advance") && argc > 3)
		r = nd_ipsec_store_advance(e, net, (uint64_t)time(NULL),
					   (uint64_t)strtoull(argv[3], NULL, 10));
	else if (r >= 0)
		r = -EINVAL;
	if (r >= 0 && !strcmp(step, "advance"))
		printf("step %d\n", r);
	if (r >= 0 && !strcmp(step, "ensure"))
		printf("primary %u, %zu keys\n", ring.primary, ring.n);
	nd_ipsec_ring_wipe(&ring);
	if (r < 0)
		fprintf(stderr, "ipsec-tool: store %s: %s\n", step, strerror(-r));
	return r < 0;
}

/* One agent pass: the ring from etcd, the kernel of the host's netns, the ack. */
static int sync_host(int argc, char **argv)
{
	_cleanup_(nd_etcd_closep) struct nd_etcd *e = NULL;
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	_cleanup_(closep) int ns = -1;
	struct nd_ipsec_ring ring = { 0 };
	struct nd_ipsec_net n;
	struct nd_addr peers[16];
	int n_peers = peers_parse(argc - 7, argv + 7, peers), orig = -1;
	int r = n_peers < 0 ? n_peers : net_parse(argv + 4, &n);

	if (r >= 0)
		r = etcd_open(argv[0], &e);
	if (r >= 0)
		r = nd_ipsec_store_ensure(e, argv[1], (uint64_t)time(NULL), &ring);
	ns = r < 0 ? -1 : nd_netns_open(argv[3]);
	if (r >= 0 && ns < 0)
		r = ns;
	if (r >= 0)
		r = nd_netns_enter(ns, &orig);
	if (r >= 0) {
		/* The socket is bound to the netns it is opened in. */
		r = nd_xfrm_open(&x);
		nd_netns_leave(orig);
	}
	if (r >= 0) {
		struct nd_ipsec_target t = {
			.n = n, .ring = &ring, .peers = peers, .n_peers = (size_t)n_peers
		};
		struct nd_ipsec_tally c;

		r = nd_ipsec_reconcile(x, &t, 1, &c);
		printf("sync: SAs %u kept, %u added, %u replaced, %u removed; policies %u kept, "
		       "%u added, %u updated, %u removed\n",
		       c.sa.kept, c.sa.added, c.sa.updated, c.sa.removed, c.policy.kept,
		       c.policy.added, c.policy.updated, c.policy.removed);
	}
	if (r >= 0)
		r = nd_ipsec_store_ack(e, argv[1], argv[2], &ring, 0);
	nd_ipsec_ring_wipe(&ring);
	return r < 0 ? fail("sync", x, r) : 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";

	if (!strcmp(cmd, "probe"))
		return probe();
	if (!strcmp(cmd, "nft") && argc >= 4)
		return nft(argc - 2, argv + 2);
	if (!strcmp(cmd, "ring") && argc == 4)
		return ring(argv[2], argv[3]);
	if (!strcmp(cmd, "apply") && argc >= 7)
		return apply(argc - 2, argv + 2, false);
	if (!strcmp(cmd, "sas") && argc >= 7)
		return apply(argc - 2, argv + 2, true);
	if (!strcmp(cmd, "clear") && argc >= 6)
		return clear(argc - 2, argv + 2);
	if (!strcmp(cmd, "store") && argc >= 5)
		return store(argc - 2, argv + 2);
	if (!strcmp(cmd, "sync") && argc >= 10)
		return sync_host(argc - 2, argv + 2);
	fprintf(stderr, "usage: ipsec-tool probe | nft PORT VNI [del] | ring FILE "
			"new|begin|promote|retire | apply|sas FILE VNI PORT LOCAL PEER... | "
			"clear VNI PORT LOCAL PEER ID... | store ENDPOINT NET "
			"ensure|rotate|advance INTERVAL | sync ENDPOINT NET HOST NETNS VNI PORT "
			"LOCAL PEER...\n");
	return 2;
}
