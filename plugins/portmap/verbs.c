// SPDX-License-Identifier: MIT
/* ADD, DEL, CHECK and GC of published ports. */
#include "portmap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "conntrack.h"
#include "log.h"
#include "nl.h"
#include "record.h"
#include "rundir.h"
#include "sysctl.h"

ND_CLEANUP(struct portmap_ledger *, portmap_ledger_close)

static int nft_fail(struct cni_ctx *ctx, int r, const char *err)
{
	cni_fail(ctx, ND_ERR_NFT, r, "nftables table %s: %s", nd_nft_table_name(), strerror(-r));
	if (err && err[0])
		cni_fail_details(ctx, "%s", err);
	return r;
}

static int ledger_fail(struct cni_ctx *ctx, int r)
{
	return cni_fail(ctx, CNI_ERR_IO, r, "portmap ledger: %s", strerror(-r));
}

/*
 * Chooses ports for hostPort 0 (one per mapping, shared by its families) and
 * claims all. A chosen port is in the owner file before its claim is made, so
 * a DEL after a kill at any point frees the claim.
 */
static int claim_all(struct cni_ctx *ctx, struct portmap_ledger *l, struct portmap_entry *e,
		     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char holder[2 * CNI_MAX_NAME + 64] = "";
		int r = 0;

		if (!e[i].host_port) {
			if (portmap_pick_port(l, e[i].proto, &e[i].host_port) < 0)
				return cni_fail(
					ctx, ND_ERR_PORT_IN_USE, -EADDRINUSE,
					"runtimeConfig.portMappings[%u].hostPort 0: no free %s "
					"port left in ip_local_port_range",
					e[i].mapping, portmap_proto_name(e[i].proto));
			/* The mapping's other family gets the same port. */
			for (size_t j = i + 1; j < n && e[j].mapping == e[i].mapping; j++)
				e[j].host_port = e[i].host_port;
			r = portmap_ledger_set_owned(l, ctx->container_id, ctx->ifname, e, n);
			if (r < 0)
				return ledger_fail(ctx, r);
		}
		r = portmap_ledger_claim(l, ctx, &e[i], holder, sizeof(holder));
		if (r == -EADDRINUSE)
			return cni_fail(ctx, ND_ERR_PORT_IN_USE, r,
					"host port %s/%u is already published by container %s",
					portmap_proto_name(e[i].proto), e[i].host_port, holder);
		if (r < 0)
			return cni_fail(ctx, CNI_ERR_IO, r, "portmap ledger: %s", strerror(-r));
	}
	return 0;
}

static int nft_add(struct cni_ctx *ctx, struct portmap_ledger *l, const struct portmap_entry *e,
		   size_t n)
{
	struct nd_nft_txn *txn = NULL;
	char err[256] = "";
	int r = nd_nft_txn_new(&txn);

	if (r >= 0)
		r = portmap_rules_declare(txn);
	if (r >= 0)
		r = portmap_subnets_sync(portmap_ledger_subnets_fd(l), txn);
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = portmap_elem_add(txn, &e[i]);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	nd_nft_txn_free_via(txn, nd_run_dir_path(ctx));
	return r < 0 ? nft_fail(ctx, r, err) : 0;
}

/*
 * The chosen ports go into the endpoint's record, so tools can show
 * 0.0.0.0:32770->6379/tcp; note says why asked-for ports are not there.
 */
static int record_ports(struct cni_ctx *ctx, const struct portmap_entry *e, size_t n,
			const char *note)
{
	_cleanup_(closep) int run_fd = nd_dir_open(nd_run_dir_path(ctx), false);
	struct nd_endpoint_record rec;
	int r;

	if (run_fd < 0)
		return 0;
	r = nd_endpoint_record_read(run_fd, ctx->net_name, ctx->container_id, ctx->ifname, &rec);
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* chained after a plugin that writes no record */
	free(rec.ports);
	snprintf(rec.ports_note, sizeof(rec.ports_note), "%s", note);
	rec.ports = calloc(n ? n : 1, sizeof(*rec.ports));
	rec.n_ports = 0;
	for (size_t i = 0; rec.ports && i < n; i++) {
		struct nd_port_record *p = &rec.ports[rec.n_ports++];

		*p = (struct nd_port_record){ .host_ip = e[i].host_ip,
					      .host_port = e[i].host_port,
					      .container_port = e[i].container_port };
		snprintf(p->protocol, sizeof(p->protocol), "%s", portmap_proto_name(e[i].proto));
	}
	r = rec.ports ? nd_endpoint_record_write(run_fd, ctx->net_name, &rec) : -ENOMEM;
	nd_endpoint_record_clear(&rec);
	return r;
}

/* Established flows keep their DNAT until their conntrack entries go; a failure only logs. */
static void forget_flows(struct cni_ctx *ctx, const struct portmap_entry *e, size_t n)
{
	_cleanup_(freep) struct nd_ct_flow *f = calloc(n, sizeof(*f));
	int r;

	for (size_t i = 0; f && i < n; i++)
		f[i] = (struct nd_ct_flow){ .proto = e[i].proto,
					    .port = e[i].host_port,
					    .target = e[i].target };
	r = f ? nd_conntrack_forget(f, n, nd_run_dir_path(ctx)) : -ENOMEM;
	if (r < 0)
		nd_warn("portmap: conntrack entries not dropped: %s", strerror(-r));
}

/* Undoes everything (cid, ifname) published, from any partial state. */
static int release(struct cni_ctx *ctx, struct portmap_ledger *l, const char *cid,
		   const char *ifname)
{
	struct nd_nft_txn *txn = NULL;
	_cleanup_(freep) struct portmap_entry *e = NULL;
	char err[256] = "";
	int n = portmap_ledger_owned(l, cid, ifname, &e), r, dropped;

	if (n < 0)
		return ledger_fail(ctx, n);
	dropped = portmap_subnets_hold(portmap_ledger_subnets_fd(l), cid, ifname, NULL, 0);
	if (dropped < 0)
		return ledger_fail(ctx, dropped);
	if (n == 0 && dropped == 0)
		return portmap_ledger_set_owned(l, cid, ifname, NULL, 0);
	r = nd_nft_txn_new(&txn);
	if (r >= 0)
		r = portmap_sets_declare(txn);
	/* Only what this attachment holds: a refused claim's element belongs to the holder. */
	for (int i = 0; r >= 0 && i < n; i++)
		if (portmap_ledger_holds(l, cid, ifname, &e[i]))
			r = portmap_elem_del(txn, &e[i]);
	if (r >= 0)
		r = portmap_subnets_sync(portmap_ledger_subnets_fd(l), txn);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	nd_nft_txn_free_via(txn, nd_run_dir_path(ctx));
	if (r < 0)
		return nft_fail(ctx, r, err);
	if (n > 0)
		forget_flows(ctx, e, (size_t)n);
	return portmap_ledger_set_owned(l, cid, ifname, NULL, 0);
}

static void allow_localhost(const struct portmap_conf *c)
{
	_cleanup_(closep) int proc = -1;
	char knob[64];

	/* 127.0.0.1 -> container: the kernel routes loopback sources out only with this on. */
	if (!c->bridge[0])
		return;
	proc = nd_sysctl_open();
	snprintf(knob, sizeof(knob), "net/ipv4/conf/%s/route_localnet", c->bridge);
	nd_sysctl_write(proc, -1, knob, "1"); /* no rtnl in this handler */
}

static int publish(struct cni_ctx *ctx, const struct portmap_conf *c, struct portmap_entry *e,
		   size_t n)
{
	_cleanup_(portmap_ledger_closep) struct portmap_ledger *l = NULL;
	int r = portmap_ledger_open(ctx, &l);

	if (r < 0)
		return ledger_fail(ctx, r);
	/* A repeated ADD replaces what this attachment published before. */
	r = release(ctx, l, ctx->container_id, ctx->ifname);
	if (r < 0 || !n)
		return r;
	/* Entries are recorded before they are claimed, so a killed ADD is undone by DEL. */
	r = portmap_ledger_set_owned(l, ctx->container_id, ctx->ifname, e, n);
	if (r < 0)
		return ledger_fail(ctx, r);
	r = claim_all(ctx, l, e, n);
	if (r >= 0 && (r = portmap_ledger_set_owned(l, ctx->container_id, ctx->ifname, e, n)) < 0)
		ledger_fail(ctx, r);
	if (r >= 0 && (r = portmap_subnets_hold(portmap_ledger_subnets_fd(l), ctx->container_id,
						ctx->ifname, c->subnets, c->n_subnets)) < 0)
		ledger_fail(ctx, r);
	if (r >= 0)
		r = nft_add(ctx, l, e, n);
	if (r < 0) {
		/* The DEL path, in-process: a failed ADD leaves no claim, element or file. */
		release(ctx, l, ctx->container_id, ctx->ifname);
		return r;
	}
	allow_localhost(c);
	return 0;
}

int portmap_add(struct cni_ctx *ctx)
{
	_cleanup_(freep) struct portmap_entry *e = NULL;
	const char *note = "";
	struct portmap_conf c;
	int n, r = portmap_conf_parse(ctx, &c);

	if (r < 0)
		return r;
	if (!ctx->prev_result)
		return cni_fail(
			ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
			"portmap must be chained after an interface plugin (no prevResult)");
	n = portmap_entries(ctx, &c, &e);
	if (n < 0)
		return n;
	/* Docker publishes nothing from an --internal network, and says nothing; we say so. */
	if (n > 0 && c.internal) {
		note = "internal network: no port is published";
		nd_warn("portmap %s: %s (%zu mappings asked for)", ctx->net_name, note,
			ctx->rt.n_ports);
		n = 0;
	}
	r = publish(ctx, &c, e, (size_t)n);
	if (r >= 0 && (n > 0 || note[0]) && record_ports(ctx, e, (size_t)n, note) < 0)
		r = cni_fail(ctx, CNI_ERR_IO, -EIO, "recording published ports");
	if (r < 0)
		return r;
	ctx->result = *ctx->prev_result;
	ctx->has_result = true;
	return 0;
}

int portmap_del(struct cni_ctx *ctx)
{
	_cleanup_(portmap_ledger_closep) struct portmap_ledger *l = NULL;
	int r = portmap_ledger_open(ctx, &l);

	if (r < 0)
		return ledger_fail(ctx, r);
	r = release(ctx, l, ctx->container_id, ctx->ifname);
	if (r >= 0)
		portmap_ledger_sweep(l, ctx->container_id, ctx->ifname);
	return r;
}

int portmap_check(struct cni_ctx *ctx)
{
	_cleanup_(portmap_ledger_closep) struct portmap_ledger *l = NULL;
	_cleanup_(freep) struct portmap_entry *e = NULL;
	int n, r = portmap_ledger_open(ctx, &l);

	if (r < 0)
		return cni_fail(ctx, CNI_ERR_IO, r, "portmap ledger: %s", strerror(-r));
	n = portmap_ledger_owned(l, ctx->container_id, ctx->ifname, &e);
	for (int i = 0; i < n; i++)
		if (portmap_elem_exists(&e[i]) <= 0)
			return cni_fail(ctx, ND_ERR_CHECK, -ENOENT,
					"published port %s/%u -> %u is missing from nftables",
					portmap_proto_name(e[i].proto), e[i].host_port,
					e[i].container_port);
	return n < 0 ? n : 0;
}

int portmap_gc(struct cni_ctx *ctx)
{
	_cleanup_(portmap_ledger_closep) struct portmap_ledger *l = NULL;
	struct nd_strv owners = { 0 };
	int r, dropped;

	if (!ctx->rt.has_valid_attachments)
		return 0;
	r = portmap_ledger_open(ctx, &l);
	if (r >= 0)
		r = portmap_ledger_owners(l, &owners);
	for (size_t i = 0; r >= 0 && i < owners.n; i++) {
		char cid[CNI_MAX_NAME], ifname[IFNAMSIZ];

		if (sscanf(owners.v[i], "%255s %15s", cid, ifname) == 2 &&
		    !cni_attachment_valid(ctx, cid, ifname))
			r = release(ctx, l, cid, ifname);
	}
	nd_strv_clear(&owners);
	if (r < 0)
		return r;
	/* Holders with no owner file left (a kill between the two). */
	dropped = portmap_subnets_gc(portmap_ledger_subnets_fd(l), ctx);
	if (dropped > 0)
		r = nft_add(ctx, l, NULL, 0); /* the hairpin sets, rewritten from what is held */
	if (r >= 0)
		portmap_ledger_sweep(l, NULL, NULL);
	return r;
}
