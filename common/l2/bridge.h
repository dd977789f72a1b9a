/* SPDX-License-Identifier: MIT */
/* The bridge plugin's configuration and the steps its verbs share. */
#ifndef BRIDGE_H
#define BRIDGE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "cni.h"
#include "default-route.h"
#include "isolation.h"
#include "record.h"

struct bridge_conf {
	char bridge[IFNAMSIZ];
	unsigned mtu; /* 0: kernel default (1500) */
	bool is_gateway; /* gateway addresses on the bridge */
	bool ip_masq;
	bool hairpin;
	bool promisc;
	bool mcast_snooping; /* only for a bridge this plugin creates */
	bool icc; /* false: ports isolated from each other (portIsolation) */
	bool internal;
	bool ipv6;
	struct nd_dns_settings dns;
	char ipam_type[64];
	struct nd_strv option_keys, option_values; /* the options map, for the network record */
};

/* conf.c: the bridge keys of ctx->conf (reference names and Docker's options). */
int bridge_conf_parse(struct cni_ctx *ctx, struct bridge_conf *ret);
void bridge_conf_clear(struct bridge_conf *c);

/* names.c: stable names and addresses derived from the network and attachment. */
void bridge_name_derive(const char *net, char ret[IFNAMSIZ]);
void bridge_host_ifname(const char *cid, const char *ifname, char ret[IFNAMSIZ]);
void bridge_mac_for(const struct cni_result *ipam, const char *cid, const char *ifname,
		    uint8_t ret[6]);
void bridge_dev_mac(const char *bridge, uint8_t ret[6]);
void bridge_dev_mac_str(const char *bridge, char ret[18]);

/* records.c: the run-dir records and the isolation description of this network. */
int bridge_write_records(struct cni_ctx *ctx, int run_fd, const struct bridge_conf *c,
			 const struct cni_result *res, const char *host_ifname, const char *mac);
/* The nftables description of the network: res's subnets and every configured one. */
void bridge_isolation_of(const cJSON *conf, const struct bridge_conf *c,
			 const struct cni_result *res, struct nd_isolation_net *ret);
/* Adds the subnets ipam.subnets of conf names to ret (once each). */
void bridge_isolation_configured(const cJSON *conf, struct nd_isolation_net *ret);

/* port-antispoof.c: this port's source addresses in the bridge table (common/antispoof.h). */
int bridge_antispoof_add(struct nd_nft_txn *txn, const char *host_ifname,
			 const struct cni_result *ipam);
/* Reads the endpoint's record for its addresses; no record, nothing to remove. */
int bridge_antispoof_remove(struct cni_ctx *ctx, int run_fd, const char *cid, const char *ifname,
			    const char *host_ifname);
/* hostfw.c: host firewalls (Docker, ufw, firewalld) pass the bridge's traffic (common/hostfw.h). */
int bridge_hostfw_add(struct cni_ctx *ctx, const char *bridge, int run_fd);
int bridge_hostfw_gc(struct cni_ctx *ctx, const char *bridge, int run_fd);
int bridge_hostfw_check(struct cni_ctx *ctx, const char *bridge);
int bridge_hostfw_status(struct cni_ctx *ctx);

/* Verbs: add.c, del.c, check.c. */
int bridge_add(struct cni_ctx *ctx);
int bridge_del(struct cni_ctx *ctx);
int bridge_check(struct cni_ctx *ctx);
int bridge_gc(struct cni_ctx *ctx);
int bridge_status(struct cni_ctx *ctx);

/* del.c: tears down one attachment from any partial state. */
int bridge_teardown(struct cni_ctx *ctx, const struct bridge_conf *c, bool delegate);
/*
 * del.c: re-points the container's default route after its attachments
 * changed, from the records below run_fd (-1: none left); *ret (may be NULL)
 * gets the owner.
 */
int bridge_default_route_update(struct cni_ctx *ctx, int run_fd, struct nd_route_owner *ret);

#endif
