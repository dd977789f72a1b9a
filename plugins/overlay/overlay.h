/* SPDX-License-Identifier: MIT */
/* The overlay plugin: the bridge driver's steps plus one VXLAN device per network and host. */
#ifndef OVERLAY_H
#define OVERLAY_H

#include <net/if.h>
#include <stdbool.h>

#include "cni.h"
#include "etcd.h"
#include "ip.h"
#include "l2/bridge.h"
#include "nl.h"
#include "overlay-record.h"

#define OVERLAY_PORT_DEFAULT 4789
/* VXLAN over IPv4: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14. */
#define OVERLAY_HEADROOM 50
/* ESP in transport mode with AES-GCM: SPI 4 + sequence 4 + IV 8 + padding <= 3 + 2 + ICV 16. */
#define OVERLAY_ESP_HEADROOM 40

struct overlay_conf {
	unsigned vni; /* 0: allocated cluster-wide (or derived without a store) */
	char vtep[IFNAMSIZ > 64 ? IFNAMSIZ : 64]; /* address or interface; "" default */
	unsigned port;
	bool has_store;
	bool encrypted; /* encrypt.c */
	struct nd_etcd_conf store;
	/* Resolved on this host. */
	struct nd_addr vtep_addr; /* family 0: none (one host, no store) */
	unsigned underlay_mtu; /* 0: unknown */
	char host[64];
};

/* conf.c: the overlay keys (vni, vtep, port, store); the bridge keys are bridge_conf_parse's. */
int overlay_conf_parse(struct cni_ctx *ctx, struct overlay_conf *ret);
void overlay_conf_clear(struct overlay_conf *c);

/* underlay.c: the local VTEP address and the MTU of the device carrying it. */
int overlay_underlay_resolve(struct cni_ctx *ctx, struct overlay_conf *c);

/* vni.c: the network's VNI, from the config, this host's record, or etcd (allocated once). */
int overlay_vni_resolve(struct cni_ctx *ctx, struct overlay_conf *c, int run_fd);

/* vxlan.c: the VXLAN device of the network, enslaved to its bridge; removal at GC. */
void overlay_vxlan_name(unsigned vni, char ret[IFNAMSIZ]);
int overlay_vxlan_ensure(struct cni_ctx *ctx, const struct overlay_conf *c,
			 const struct bridge_conf *bc);
int overlay_vxlan_check(struct cni_ctx *ctx, const struct overlay_conf *c,
			const struct bridge_conf *bc);
int overlay_vxlan_delete(struct cni_ctx *ctx, unsigned vni);

/* encrypt.c: `encrypted` networks (ESP between hosts); every step is a no-op when not encrypted. */
int overlay_encrypt_conf(struct cni_ctx *ctx, struct overlay_conf *c);
int overlay_encrypt_ensure(struct cni_ctx *ctx, const struct overlay_conf *c);
int overlay_encrypt_check(struct cni_ctx *ctx, const struct overlay_conf *c);
int overlay_encrypt_status(struct cni_ctx *ctx, const struct overlay_conf *c);
int overlay_encrypt_remove(struct cni_ctx *ctx, const struct nd_overlay_record *o);
/* gateways.c: every configured subnet's gateway on the bridge. */
int overlay_gateways_add(struct cni_ctx *ctx, struct nd_nl *nl, int bridge_ifindex);
/* gateways.c: every configured subnet in networks/<net>.json (after the bridge steps). */
int overlay_record_subnets(struct cni_ctx *ctx, int run_fd);

/* verbs.c */
int overlay_add(struct cni_ctx *ctx);
int overlay_del(struct cni_ctx *ctx);
int overlay_check(struct cni_ctx *ctx);
int overlay_gc(struct cni_ctx *ctx);
int overlay_status(struct cni_ctx *ctx);

#endif
