/* SPDX-License-Identifier: MIT */
/*
 * netdock-overlayd: publishes this host's overlay endpoints to etcd under a
 * per-host lease, and turns the other hosts' endpoints into VXLAN FDB,
 * neighbour and flood entries and run-dir records (with "host" set).
 */
#ifndef OVERLAYD_H
#define OVERLAYD_H

#include <stdbool.h>
#include <stdint.h>

#include "etcd.h"
#include "nl.h"
#include "overlay-record.h"
#include "record.h"

#define OVERLAYD_FILE_MAX 320

/* One endpoint of another host, as etcd holds it (validated). */
struct remote {
	char *key;
	char net[CNI_MAX_NAME];
	char host[64]; /* the publishing host's name */
	char file[OVERLAYD_FILE_MAX]; /* <containerID>-<ifname>.json */
	struct nd_endpoint_record rec; /* rec.host: the VTEP address */
	struct nd_addr vtep;
	uint8_t mac[6];
};

/* An overlay network with a VXLAN device on this host (overlay/<net>.json). */
struct local_net {
	struct nd_overlay_record o;
	int ifindex; /* of o.vxlan; 0 while it is missing */
};

/* A key this host has put (or found in etcd as its own), with its value. */
struct pub {
	char *key;
	char *value;
};

/* A remote record that changed since the last mirror pass. */
struct dirty {
	char net[CNI_MAX_NAME];
	char file[OVERLAYD_FILE_MAX];
};

struct agent {
	struct nd_etcd_conf conf;
	struct nd_etcd *e;
	char host[64];
	unsigned ttl;
	const char *run_dir;
	int run_fd, ino_fd, sig_fd;
	struct nd_nl *nl;
	int64_t lease, rev;
	struct nd_etcd_watch *w; /* NULL: etcd is away, reconcile when it is back */
	struct remote *remotes;
	size_t n_remotes, cap_remotes;
	struct pub *pubs;
	size_t n_pubs;
	struct local_net *nets;
	size_t n_nets;
	struct dirty *dirty;
	size_t n_dirty, cap_dirty;
	bool kernel_dirty, publish_dirty, mirror_full;
	uint64_t next_keepalive_ms;
	unsigned long nl_changes; /* netlink add/delete requests sent */
	struct overlayd_ipsec *ipsec; /* ipsec.c */
};

uint64_t overlayd_now_ms(void);

/* remotes.c: the table of remote endpoints, fed by the full read and the watch. */
char *overlayd_endpoints_prefix(const struct agent *a);
/* Applies one etcd event; bad or hostile data is logged and skipped. */
void overlayd_remote_event(void *agent, const struct nd_etcd_event *ev);
/* Replaces the table with kvs (a read of the whole endpoints prefix); own keys become pubs. */
void overlayd_remotes_load(struct agent *a, const struct nd_etcd_kvs *kvs);
void overlayd_remotes_clear(struct agent *a);
/* True when file (<containerID>-<ifname>.json) is a remote endpoint's record name. */
bool overlayd_remote_file(const struct agent *a, const char *file);

/* nets.c: the local overlay networks and the inotify watches on their directories. */
int overlayd_nets_load(struct agent *a);
void overlayd_nets_clear(struct agent *a);
const struct local_net *overlayd_net(const struct agent *a, const char *name);

/* kernel.c: dumps the VXLAN devices' FDB and neighbour entries and fixes the difference. */
int overlayd_kernel_sync(struct agent *a);

/* One kernel entry of a remote endpoint. */
struct entry {
	int ifindex;
	bool fdb; /* AF_BRIDGE: mac -> ip (the VTEP); else neighbour: ip -> mac */
	uint8_t mac[6];
	struct nd_addr ip;
};

struct entries {
	struct entry *v;
	size_t n, cap;
};

void overlayd_entries_free(struct entries *l);
/* Appends the entries remote endpoint rm needs on this host. */
int overlayd_entries_of(const struct agent *a, const struct remote *rm, struct entries *ret);
/*
 * Between two full passes: sends what a watch event changed (old's entries
 * not in new go unless another endpoint needs them, new's not in old come).
 * Call with the table already changed. Frees both lists.
 */
void overlayd_kernel_change(struct agent *a, struct entries *old, struct entries *new);

/* mirror.c: remote records in endpoints/<net>/ of the run dir. */
void overlayd_mirror_full(struct agent *a);
void overlayd_mirror_dirty(struct agent *a);

/*
 * ipsec.c, ipsec-sched.c: encrypted networks' SAs, policy, acks and rotation.
 * sync runs what is due (everything when full: at reconcile and when the
 * local networks changed); key ring changes arrive as watch events. Kernel
 * state stays when etcd is away.
 */
void overlayd_ipsec_sync(struct agent *a, bool full);
/* An event under <prefix>/ipsec/: its network's ring, an ack, a rotation request. */
void overlayd_ipsec_event(struct agent *a, const struct nd_etcd_event *ev);
/* Milliseconds until the next pass is due by time (a retry, the schedule, the slow pass). */
int overlayd_ipsec_timeout_ms(const struct agent *a);
/* The kernel's XFRM notifications: a socket to wait on (-1: none), and what came on it. */
int overlayd_ipsec_fd(const struct agent *a);
void overlayd_ipsec_kernel_changed(struct agent *a);
void overlayd_ipsec_free(struct agent *a);

/* publish.c: this host's endpoints in etcd, under its lease. */
int overlayd_publish(struct agent *a);
void overlayd_pubs_clear(struct agent *a);

#endif
