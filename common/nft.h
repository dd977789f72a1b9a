/* SPDX-License-Identifier: MIT */
/*
 * nftables batch transactions over libnftnl + libmnl: one table (inet
 * netdock, or $NETDOCK_NFT_TABLE), chains owned per plugin, per-container
 * data only as set/map elements, one sendmsg per commit (all or nothing).
 */
#ifndef ND_NFT_H
#define ND_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* glibc's in.h first: <linux/netfilter.h> after it, never before (redefinitions). */
#include <netinet/in.h>

#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "cleanup.h"

struct nd_nft_txn;
struct nd_nft_rule;

/* The table name: $NETDOCK_NFT_TABLE, else "netdock" (inet, and bridge for antispoof.h). */
const char *nd_nft_table_name(void);

/* New empty batch on a new netlink socket. Returns 0 or -errno. */
int nd_nft_txn_new(struct nd_nft_txn **ret);
/* The same on another family's table (NFPROTO_IPV4 "filter": iptables-nft's). */
int nd_nft_txn_new_in(uint8_t family, const char *table, struct nd_nft_txn **ret);
void nd_nft_txn_free(struct nd_nft_txn *txn);
ND_CLEANUP(struct nd_nft_txn *, nd_nft_txn_free)
/*
 * nd_nft_txn_free for a short-lived process: the wait of closing the
 * socket (nd_nft_txn_elem_exists below says why there is one) goes to the
 * closer of run_dir when one listens (closer.h).
 */
void nd_nft_txn_free_via(struct nd_nft_txn *txn, const char *run_dir);
/*
 * The family of the objects queued from now on (NFPROTO_INET by default;
 * NFPROTO_BRIDGE for the bridge table of the same name). One batch may mix them.
 */
void nd_nft_txn_set_family(struct nd_nft_txn *txn, uint8_t family);

/* Adds the table if missing (never fails because it exists). */
int nd_nft_table_declare(struct nd_nft_txn *txn);
/* Deletes the whole table (tests, uninstall). */
int nd_nft_table_delete(struct nd_nft_txn *txn);

/*
 * Adds a chain if missing. A base chain has type "filter" or "nat", a hook
 * (NF_INET_FORWARD, ...) and a priority; pass type NULL for a regular chain
 * (jump target). Policy is accept.
 */
int nd_nft_chain_declare(struct nd_nft_txn *txn, const char *chain, const char *type, int hook,
			 int priority);
/* Removes every rule of the chain (in the same batch, before re-adding them). */
int nd_nft_chain_flush(struct nd_nft_txn *txn, const char *chain);

/* nftables data types (nft's datatype ids) used by netdock's sets. */
enum nd_nft_type {
	ND_NFT_TYPE_VERDICT = 1, /* map data only */
	ND_NFT_TYPE_IPV4 = 7,
	ND_NFT_TYPE_IPV6 = 8,
	ND_NFT_TYPE_ETHER = 9,
	ND_NFT_TYPE_INET_PROTO = 12,
	ND_NFT_TYPE_INET_SERVICE = 13,
	ND_NFT_TYPE_MARK = 19,
	ND_NFT_TYPE_IFNAME = 41,
};

#define ND_NFT_MAX_CONCAT 4

/*
 * A set or map. key/data are concatenations of up to ND_NFT_MAX_CONCAT types
 * (e.g. {IPV4, INET_PROTO, INET_SERVICE}); n_data 0 makes a plain set.
 * interval adds NFT_SET_INTERVAL (prefixes as ranges; single-type keys only).
 */
struct nd_nft_set_spec {
	const char *name;
	enum nd_nft_type key[ND_NFT_MAX_CONCAT];
	size_t n_key;
	enum nd_nft_type data[ND_NFT_MAX_CONCAT];
	size_t n_data;
	bool interval;
};

/* Adds the set/map if missing; an existing one keeps its elements. */
int nd_nft_set_declare(struct nd_nft_txn *txn, const struct nd_nft_set_spec *spec);
int nd_nft_set_flush(struct nd_nft_txn *txn, const char *set);

/*
 * Element bytes for a concatenation: every field padded to a multiple of 4
 * bytes, in network byte order for addresses and ports. nd_nft_concat_*
 * append one field to a buffer; buf must have room (16 bytes per field).
 */
struct nd_nft_data {
	uint8_t bytes[64];
	size_t len;
};
void nd_nft_data_put(struct nd_nft_data *d, const void *field, size_t len);
void nd_nft_data_put_u8(struct nd_nft_data *d, uint8_t v); /* inet_proto */
void nd_nft_data_put_port(struct nd_nft_data *d, uint16_t port); /* host order in */
void nd_nft_data_put_ifname(struct nd_nft_data *d, const char *ifname); /* 16 bytes */

/* Element add/delete. data may be NULL for a plain set; verdict maps use nd_nft_elem_add_verdict. */
int nd_nft_elem_add(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key,
		    const struct nd_nft_data *data);
/* Interval set element [from, to] inclusive (e.g. a prefix's first and last address). */
int nd_nft_elem_add_range(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *from,
			  const struct nd_nft_data *to);
int nd_nft_elem_del(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key);
int nd_nft_elem_del_range(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *from,
			  const struct nd_nft_data *to);
int nd_nft_elem_add_verdict(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key,
			    int verdict, const char *chain);

/*
 * Rules: begin, append expressions, end (which queues it in the batch).
 * Registers are NFT_REG_1..NFT_REG_4 (16 bytes) or NFT_REG32_00.. (4 bytes).
 * On any allocation failure the rule is marked broken and end returns -ENOMEM.
 */
struct nd_nft_rule *nd_nft_rule_begin(struct nd_nft_txn *txn, const char *chain);
void nd_nft_meta(struct nd_nft_rule *r, uint32_t key, uint32_t dreg);
/* meta KEY set from sreg (e.g. "meta mark set"). */
/* A route key (NFT_RT_*) of the packet's route into dreg: rt ipsec, rt classid... */
void nd_nft_rt(struct nd_nft_rule *r, uint32_t key, uint32_t dreg);
void nd_nft_meta_set(struct nd_nft_rule *r, uint32_t key, uint32_t sreg);
void nd_nft_payload(struct nd_nft_rule *r, uint32_t base, uint32_t offset, uint32_t len,
		    uint32_t dreg);
void nd_nft_cmp(struct nd_nft_rule *r, uint32_t sreg, uint32_t op, const void *data, size_t len);
void nd_nft_bitwise(struct nd_nft_rule *r, uint32_t reg, const void *mask, const void *xor_,
		    size_t len);
/* Lookup sreg in set; dreg >= 0 loads map data, invert for "not in set". */
void nd_nft_lookup(struct nd_nft_rule *r, const char *set, uint32_t sreg, int dreg, bool invert);
void nd_nft_ct(struct nd_nft_rule *r, uint32_t key, uint32_t dreg);
/* fib daddr type -> dreg (for "fib daddr type local"). */
void nd_nft_fib_daddr_type(struct nd_nft_rule *r, uint32_t dreg);
void nd_nft_immediate(struct nd_nft_rule *r, uint32_t dreg, const void *data, size_t len);
void nd_nft_counter(struct nd_nft_rule *r);
void nd_nft_verdict(struct nd_nft_rule *r, int verdict, const char *chain);
void nd_nft_masq(struct nd_nft_rule *r);
/* DNAT/SNAT to the address in reg_addr (and port in reg_port when >= 0). family NFPROTO_IPV4/6. */
void nd_nft_nat(struct nd_nft_rule *r, uint32_t type, uint32_t family, uint32_t reg_addr,
		int reg_port);
/* Tags the rule with a comment (nft list shows it). */
void nd_nft_comment(struct nd_nft_rule *r, const char *text);
int nd_nft_rule_end(struct nd_nft_txn *txn, struct nd_nft_rule *r);
/* As nd_nft_rule_end, but the rule goes to the head of its chain (iptables -I). */
int nd_nft_rule_end_first(struct nd_nft_txn *txn, struct nd_nft_rule *r);
/* An xtables match (nft_compat) as iptables-nft emits it; info is copied and padded. */
void nd_nft_xt_match(struct nd_nft_rule *r, const char *name, uint32_t rev, const void *info,
		     size_t len);
/* Queues the deletion of one rule by its handle. */
int nd_nft_rule_delete(struct nd_nft_txn *txn, const char *chain, uint64_t handle);

/* Convenience matchers built from the above. */
void nd_nft_match_iifname(struct nd_nft_rule *r, const char *ifname, uint32_t op);
void nd_nft_match_oifname(struct nd_nft_rule *r, const char *ifname, uint32_t op);
void nd_nft_match_nfproto(struct nd_nft_rule *r, uint8_t nfproto);
void nd_nft_match_l4proto(struct nd_nft_rule *r, uint8_t proto);

/*
 * Sends the batch in one sendmsg and reads the acks. Returns 0 or the first
 * error as -errno; the kernel applied nothing then. err_text (may be NULL)
 * receives a description ("NEWRULE in chain X: No such file or directory").
 */
int nd_nft_txn_commit(struct nd_nft_txn *txn, char *err_text, size_t err_size);

/* True when the set/element exists (for CHECK); read-only netlink get on a socket of its own. */
int nd_nft_elem_exists(const char *set, const struct nd_nft_data *key);
/*
 * The same on txn's socket, in txn's table and family, without queueing
 * anything. Why: closing a netfilter socket waits for the kernel to free
 * the transactions of any commit in this netns (nf_tables flushes its
 * destroy work on every socket release, an RCU grace period of 10-20 ms
 * here), so under parallel ADDs every socket a plugin opens costs a wait.
 */
int nd_nft_txn_elem_exists(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key);

#endif
