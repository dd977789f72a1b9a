/* SPDX-License-Identifier: MIT */
/* portmap's model: a published port resolved to host address, protocol, port and container target. */
#ifndef PORTMAP_H
#define PORTMAP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "cni.h"
#include "ip.h"
#include "nft.h"

/* One published port for one family: what the DNAT maps hold. */
struct portmap_entry {
	struct nd_addr host_ip; /* family 0: every local address of family */
	int family; /* AF_INET or AF_INET6 */
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP */
	uint16_t host_port;
	struct nd_addr target;
	uint16_t container_port;
	unsigned mapping; /* index in portMappings: one chosen port per mapping */
};

struct portmap_conf {
	struct nd_addr default_host_ip; /* plugin "hostIP" or the network's host_binding_ipv4 */
	char bridge[IFNAMSIZ]; /* from the network record, for route_localnet */
	bool internal; /* the network record says --internal: nothing is published */
	struct nd_prefix subnets[CNI_MAX_IPS]; /* container subnets, for hairpin masquerade */
	size_t n_subnets;
};

/* conf.c */
int portmap_conf_parse(struct cni_ctx *ctx, struct portmap_conf *ret);
/* More mappings than this are refused up front (README: a batch and ledger bound). */
#define PORTMAP_MAX_MAPPINGS 8192

/* Turns ctx->rt.ports into entries (hostPort 0 still 0); returns the count or -errno. */
int portmap_entries(struct cni_ctx *ctx, const struct portmap_conf *c, struct portmap_entry **ret);
const char *portmap_proto_name(uint8_t proto);

/* ledger.c: who holds which host port, under one lock in the run dir. */
struct portmap_ledger;
int portmap_ledger_open(struct cni_ctx *ctx, struct portmap_ledger **ret);
void portmap_ledger_close(struct portmap_ledger *l);
/* Claims e for this attachment; -EADDRINUSE with *holder filled when another has it. */
int portmap_ledger_claim(struct portmap_ledger *l, const struct cni_ctx *ctx,
			 const struct portmap_entry *e, char *holder, size_t size);
/* True when this attachment's claim on e is on record (only then are its map elements its own). */
bool portmap_ledger_holds(struct portmap_ledger *l, const char *cid, const char *ifname,
			  const struct portmap_entry *e);
/* True when (proto, port) is held by anyone on any address. */
bool portmap_ledger_port_taken(struct portmap_ledger *l, uint8_t proto, uint16_t port);
/* The entries this attachment owns (new array, caller frees); returns the count. */
int portmap_ledger_owned(struct portmap_ledger *l, const char *cid, const char *ifname,
			 struct portmap_entry **ret);
/* Records the owned entries (n 0 forgets the attachment and frees its claims). */
int portmap_ledger_set_owned(struct portmap_ledger *l, const char *cid, const char *ifname,
			     const struct portmap_entry *e, size_t n);
/* Every attachment that owns entries: "cid ifname" strings (new strv). */
int portmap_ledger_owners(struct portmap_ledger *l, struct nd_strv *ret);

/* The ledger's subnets/ directory (for subnets.c), borrowed. */
int portmap_ledger_subnets_fd(const struct portmap_ledger *l);
/*
 * Removes temporaries a killed writer left: cid set, those of that
 * attachment's owner file (DEL); cid NULL, all whose writer is dead (GC).
 */
int portmap_ledger_sweep(struct portmap_ledger *l, const char *cid, const char *ifname);

/*
 * subnets.c: who holds which hairpin subnet. hold makes (cid, ifname) hold
 * exactly p[0..n) and returns how many it held before and no more; gc drops
 * the holders not in valid-attachments (returns how many); sync rewrites
 * portmap-subnets4/6 in txn from what is held.
 */
int portmap_subnets_hold(int subnets_fd, const char *cid, const char *ifname,
			 const struct nd_prefix *p, size_t n);
int portmap_subnets_gc(int subnets_fd, const struct cni_ctx *ctx);
int portmap_subnets_sync(int subnets_fd, struct nd_nft_txn *txn);

/* random-port.c: a free port for hostPort 0, as docker run -P picks one. */
int portmap_pick_port(struct portmap_ledger *l, uint8_t proto, uint16_t *ret);

/* rules.c */
int portmap_rules_declare(struct nd_nft_txn *txn);
int portmap_elem_add(struct nd_nft_txn *txn, const struct portmap_entry *e);
int portmap_elem_del(struct nd_nft_txn *txn, const struct portmap_entry *e);
int portmap_elem_exists(const struct portmap_entry *e);
/* The table and portmap's sets (no chains, no rules): what DEL and GC write to. */
int portmap_sets_declare(struct nd_nft_txn *txn);

/* verbs.c */
int portmap_add(struct cni_ctx *ctx);
int portmap_del(struct cni_ctx *ctx);
int portmap_check(struct cni_ctx *ctx);
int portmap_gc(struct cni_ctx *ctx);

#endif
