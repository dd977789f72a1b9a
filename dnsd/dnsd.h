/* SPDX-License-Identifier: MIT */
/* netdock-dnsd: the daemon's context and the interfaces between its files. */
#ifndef DNSD_H
#define DNSD_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "ip.h"
#include "record.h"
#include "rundir.h"

#define DNSD_TTL 600
#define DNSD_UDP_MAX 4096
#define DNSD_FORWARD_TIMEOUT_MS 2000
#define DNSD_MAX_UPSTREAMS 8

struct dnsd;

/* One fd in the epoll loop; ready() is its only handler. */
struct nd_watch {
	int fd;
	int (*ready)(struct dnsd *d, struct nd_watch *w, uint32_t events);
};

/* view.c: what the run dir says, indexed for queries. */
struct dnsd_net {
	struct nd_net_record rec;
	char file[ND_NAME_MAX + 8];
};

/* ep.c: one endpoint, packed into one allocation (free() it). */
struct dnsd_ep {
	uint32_t net; /* index into view.nets */
	bool gone; /* its netns no longer exists: it answers nothing (netns.c) */
	bool remote; /* another host's (overlay): no local netns to follow */
	uint8_t n_ips;
	uint16_t n_aliases, n_links;
	const char *container_id, *name, *netns, *file;
	const char *namespace; /* Kubernetes namespace of a pod, "" otherwise (record.h) */
	const char *lname; /* name, lower case (name itself when it is) */
	const char **aliases;
	const char **links; /* "target:alias" */
	struct nd_addr *ips;
};

/* Packs what dnsd needs of r (read from endpoints/<net>/file) into *ret. */
int dnsd_ep_new(const struct nd_endpoint_record *r, const char *file, size_t net,
		struct dnsd_ep **ret);

struct dnsd_index; /* hash tables, rebuilt from nets and eps after every change */

struct dnsd_view {
	struct dnsd_net *nets;
	size_t n_nets;
	struct dnsd_ep **eps; /* owned */
	size_t n_eps, cap_eps;
	struct dnsd_index *index;
	uint64_t generation;
};

int dnsd_view_load(struct dnsd *d);
/* Re-reads one record after inotify said it changed (name relative to the run dir). */
int dnsd_view_update_endpoint(struct dnsd *d, const char *net, const char *file);
int dnsd_view_rebuild_index(struct dnsd *d);
void dnsd_view_free(struct dnsd_view *v);

/* index.c: lookups (no allocation). */
typedef void (*dnsd_ep_fn)(void *data, const struct dnsd_ep *ep);
/* The endpoint of network net holding address a; NULL if none. */
const struct dnsd_ep *dnsd_index_by_addr(const struct dnsd_index *ix, size_t net,
					 const struct nd_addr *a);
/* Every endpoint of network net holding address a (PTR). */
void dnsd_index_addr_each(const struct dnsd_index *ix, size_t net, const struct nd_addr *a,
			  dnsd_ep_fn fn, void *data);
/* Every endpoint on net with container name lname / alias lname. */
void dnsd_index_name_each(const struct dnsd_index *ix, size_t net, const char *lname, dnsd_ep_fn fn,
			  void *data);
void dnsd_index_alias_each(const struct dnsd_index *ix, size_t net, const char *lname,
			   dnsd_ep_fn fn, void *data);
/* Every endpoint of container cid. */
void dnsd_index_container_each(const struct dnsd_index *ix, const char *cid, dnsd_ep_fn fn,
			       void *data);
/* Every endpoint whose record names netns path. */
void dnsd_index_netns_each(const struct dnsd_index *ix, const char *path, dnsd_ep_fn fn,
			   void *data);
/* (Re)builds *ret over v, reusing an existing index's memory when *ret is set. */
int dnsd_index_build(struct dnsd_view *v, struct dnsd_index **ret);
void dnsd_index_free(struct dnsd_index *ix);
/* One endpoint changed: its items die, or are added; -ENOSPC asks for a full build. */
void dnsd_index_remove_ep(struct dnsd_index *ix, const struct dnsd_ep *ep);
int dnsd_index_add_ep(struct dnsd_index *ix, const struct dnsd_ep *ep);

/* wire.c: the DNS message format. */
struct dnsd_query {
	uint16_t id;
	uint16_t flags;
	char qname[256]; /* lower case, no trailing dot, "" for the root */
	uint16_t qtype, qclass;
	size_t question_end; /* offset just past the question; 0 when it could not be read */
	bool edns; /* a well-formed OPT came with it */
	uint8_t edns_version;
	uint16_t udp_size; /* the client's EDNS payload size; 512 without EDNS */
};

enum {
	DNSD_RCODE_OK = 0,
	DNSD_RCODE_FORMERR = 1,
	DNSD_RCODE_SERVFAIL = 2,
	DNSD_RCODE_NXDOMAIN = 3,
	DNSD_RCODE_NOTIMP = 4,
	DNSD_RCODE_REFUSED = 5,
	DNSD_RCODE_BADVERS = 16 /* extended: 1 in OPT's upper bits, 0 in the header */
};

/* The payload size dnsd advertises in its OPT and answers UDP up to (RFC 9715's 1232). */
#define DNSD_EDNS_SIZE 1232

/*
 * Parses a query; returns 0, or a DNS rcode (> 0) to answer with, or -1 to
 * drop. question_end tells whether the question can be echoed with the rcode.
 */
int dnsd_wire_parse_query(const uint8_t *msg, size_t len, struct dnsd_query *q);

struct dnsd_answer {
	uint8_t *buf;
	size_t cap, len;
	uint16_t ancount;
	bool truncated;
	bool opt; /* an OPT record goes last */
	uint8_t ext_rcode;
	size_t reserve; /* bytes kept for the OPT */
};
/* Starts a response to q in buf (header and question copied from the query). */
void dnsd_wire_begin(struct dnsd_answer *a, const uint8_t *query, const struct dnsd_query *q,
		     int rcode, bool authoritative);
/* Appends an A/AAAA record for the question's name. */
void dnsd_wire_add_addr(struct dnsd_answer *a, const struct nd_addr *addr);
/* Appends a PTR record pointing at "name.domain." (Docker's form: domain is the network). */
void dnsd_wire_add_ptr(struct dnsd_answer *a, const char *name, const char *domain);
/*
 * Error response from a query's head: the header and, when head_len goes past
 * it, the question (head_len is question_end, or 12 for a header only).
 */
size_t dnsd_wire_error(uint8_t *buf, size_t cap, const uint8_t *head, size_t head_len, int rcode);
/* Fills the counts into the header; returns the length. */
size_t dnsd_wire_end(struct dnsd_answer *a);
/* Upstream reply sanity: 0 when it is a well-formed response; *truncated gets TC. */
int dnsd_wire_check_reply(const uint8_t *msg, size_t len, bool *truncated);

/*
 * answer.c: what a querier may see. Returns the response length, 0 to
 * forward, SIZE_MAX to drop. Over UDP the answer is cut to what the client
 * takes (512, or its EDNS size up to DNSD_EDNS_SIZE).
 */
size_t dnsd_answer(struct dnsd *d, size_t net, const struct nd_addr *src, const uint8_t *msg,
		   size_t len, uint8_t *out, size_t cap, bool tcp);

/* listen.c: UDP and TCP listeners on the gateways of DNS-enabled networks. */
int dnsd_listeners_sync(struct dnsd *d);
void dnsd_listeners_close(struct dnsd *d);

/* forward.c */
int dnsd_forward_init(struct dnsd *d);
/* Sends msg upstream for net; the reply goes back through reply_fd to client. */
int dnsd_forward(struct dnsd *d, size_t net, const uint8_t *msg, size_t len, int reply_fd,
		 const struct sockaddr_storage *client, socklen_t client_len, bool tcp);
/* Forgets pending queries whose replies would go to fd (a closed TCP client). */
void dnsd_forward_cancel(struct dnsd *d, int fd);
void dnsd_forward_close(struct dnsd *d);

/* watch.c: inotify over the run dir. */
int dnsd_watch_init(struct dnsd *d);
/* Loads the view and watches every directory it names (start-up, SIGHUP, overflow). */
int dnsd_watch_sync(struct dnsd *d);
void dnsd_watch_close(struct dnsd *d);

/* loop.c */
int dnsd_loop_add(struct dnsd *d, struct nd_watch *w, uint32_t events);
void dnsd_loop_del(struct dnsd *d, struct nd_watch *w);
/*
 * w's fd is closed and owner (malloc'd, holding w) goes: w ignores events
 * still queued in this round, and owner is freed after it.
 */
void dnsd_loop_retire(struct dnsd *d, struct nd_watch *w, void *owner);
int dnsd_loop_run(struct dnsd *d);
void dnsd_loop_close(struct dnsd *d);

/* tcp.c: client connections (RFC 7766 idle timeout, a cap, buffers only in flight). */
int dnsd_tcp_init(struct dnsd *d);
/* Accepts what listen_fd has, evicting the oldest idle connection at the cap. */
int dnsd_tcp_accept(struct dnsd *d, int listen_fd, size_t net_index);
size_t dnsd_tcp_count(const struct dnsd *d);
void dnsd_tcp_close(struct dnsd *d);

/* listen.c helpers shared with tcp.c */
void dnsd_sockaddr_addr(const struct sockaddr_storage *ss, struct nd_addr *a);

/* netns.c: endpoints whose netns is gone (followed by events, never polled). */
int dnsd_netns_init(struct dnsd *d);
/* Sets ep->gone from its netns now, and follows it from here on. */
void dnsd_netns_track(struct dnsd *d, struct dnsd_ep *ep);
void dnsd_netns_close(struct dnsd *d);

/* privdrop.c */
int dnsd_drop_privileges(const char *user);

/* resolv.c: upstream servers from a resolv.conf. */
int dnsd_resolv_load(const char *path, struct nd_addr *ret, size_t max);

struct dnsd_listener;
struct dnsd_forwarder;
struct dnsd_watcher;
struct dnsd_tcp;
struct dnsd_netns;

#define DNSD_TCP_IDLE_MS 3000 /* RFC 7766 6.2.3: "on the order of seconds" */
#define DNSD_TCP_MAX 128

struct dnsd {
	char run_dir[PATH_MAX]; /* for messages; everything is read through run_fd */
	int run_fd; /* opened before privileges are dropped */
	char resolv_conf[PATH_MAX];
	uint16_t port;
	int epoll_fd;
	bool stop;
	struct dnsd_view view;
	struct dnsd_listener *listeners; /* list */
	struct dnsd_forwarder *forwarder;
	struct dnsd_watcher *watcher;
	struct dnsd_tcp *tcp;
	struct dnsd_netns *netns;
	uint64_t tcp_idle_ms;
	size_t tcp_max;
	void **retired; /* freed after the current loop round */
	size_t n_retired, cap_retired;
	struct nd_addr upstreams[DNSD_MAX_UPSTREAMS];
	size_t n_upstreams;
	uint32_t rotation; /* shared alias answers rotate between queries */
};

#endif
