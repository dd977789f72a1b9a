// SPDX-License-Identifier: MIT
/*
 * Encrypted overlay networks (`encrypted`, Docker's `--opt encrypted`): the
 * plugin checks that this kernel runs ESP, and puts in place what keeps the
 * network's VXLAN from leaving in clear before netdock-overlayd installs any
 * key: the nftables mark of its VNI and an outbound policy without an SA,
 * so the kernel drops those packets. overlayd adds the SAs (common/ipsec.h).
 */
#include "overlay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "ipsec-nft.h"
#include "ipsec.h"
#include "xfrm.h"

/* Docker takes the option's presence as "on" (`--opt encrypted` carries ""). */
int overlay_encrypt_conf(struct cni_ctx *ctx, struct overlay_conf *c)
{
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(ctx->conf, "options");
	const cJSON *opt = cJSON_IsObject(opts) ? cJSON_GetObjectItem(opts, "encrypted") : NULL;
	int r = nd_conf_bool(ctx, ctx->conf, "", "encrypted", &c->encrypted);

	if (r < 0 || !opt)
		return r;
	if (cJSON_IsString(opt) && !opt->valuestring[0]) {
		c->encrypted = true;
		return 0;
	}
	return nd_conf_bool(ctx, opts, "options", "encrypted", &c->encrypted);
}

static struct nd_ipsec_net net_of(const struct overlay_conf *c)
{
	struct nd_ipsec_net n = { .vni = c->vni, .port = (uint16_t)c->port, .local = c->vtep_addr };

	if (!n.local.family)
		n.local.family = AF_INET; /* one host: the policy is the IPv4 one */
	return n;
}

/* Refuses a host whose kernel cannot run ESP with rfc4106(gcm(aes)), naming why. */
static int probe(struct cni_ctx *ctx, struct nd_xfrm **ret, int code, int family)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	int r = nd_xfrm_open(&x);

	if (r >= 0)
		r = nd_xfrm_esp_probe(x, family);
	if (r < 0)
		return cni_fail(
			ctx, code, r,
			"encrypted: this host's kernel cannot run ESP with %s (%s); it needs "
			"xfrm_user, esp4/esp6 (CONFIG_INET_ESP) and gcm",
			ND_XFRM_AEAD, nd_xfrm_reason(x, r));
	*ret = steal_ptr(x);
	return 0;
}

/* Adds or removes the VNI's element in one transaction (the first add declares the chains). */
static int nft_change(struct cni_ctx *ctx, unsigned port, unsigned vni, bool add)
{
	struct nd_nft_txn *txn = NULL;
	char err[256] = "";
	int r = nd_ipsec_nft_exists((uint16_t)port, vni);

	if (r > 0 ? add : !add)
		return 0; /* already so: the network's first ADD on this host made it, or none did */
	r = nd_nft_txn_new(&txn);
	if (r >= 0 && add)
		r = nd_ipsec_nft_declare(txn);
	if (r >= 0)
		r = add ? nd_ipsec_nft_add(txn, (uint16_t)port, vni) :
			  nd_ipsec_nft_del(txn, (uint16_t)port, vni);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	nd_nft_txn_free(txn);
	return r < 0 ? cni_fail(ctx, ND_ERR_NFT, r, "encrypted: %s VNI %u: %s",
				add ? "marking" : "unmarking", vni, err[0] ? err : strerror(-r)) :
		       0;
}

int overlay_encrypt_ensure(struct cni_ctx *ctx, const struct overlay_conf *c)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	struct nd_ipsec_net n = net_of(c);
	int r;

	if (!c->encrypted)
		return 0;
	r = probe(ctx, &x, ND_ERR_KERNEL, n.local.family);
	/* The policy first: once marked, packets find it and drop until a key exists. */
	if (r >= 0) {
		r = nd_ipsec_policy_ensure(x, &n);
		if (r < 0)
			return cni_fail(ctx, ND_ERR_KERNEL, r, "encrypted: policy of VNI %u: %s",
					c->vni, nd_xfrm_reason(x, r));
	}
	return r < 0 ? r : nft_change(ctx, c->port, c->vni, true);
}

int overlay_encrypt_check(struct cni_ctx *ctx, const struct overlay_conf *c)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	struct nd_ipsec_net n = net_of(c);
	int r;

	if (!c->encrypted)
		return 0;
	r = nd_xfrm_open(&x);
	if (r >= 0)
		r = nd_ipsec_policy_exists(x, &n);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_CHECK, r,
				"encrypted: no outbound policy for VNI %u: %s", c->vni,
				nd_xfrm_reason(x, r));
	if (nd_ipsec_nft_exists((uint16_t)c->port, c->vni) <= 0)
		return cni_fail(ctx, ND_ERR_CHECK, -ENOENT,
				"encrypted: VNI %u is not in the nftables map overlay_encrypted",
				c->vni);
	return 0;
}

/* STATUS: an encrypted network cannot serve ADDs on a kernel without ESP. */
int overlay_encrypt_status(struct cni_ctx *ctx, const struct overlay_conf *c)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;

	if (!c->encrypted)
		return 0;
	return probe(ctx, &x, CNI_ERR_PLUGIN_NOT_AVAILABLE,
		     c->vtep_addr.family ? c->vtep_addr.family : AF_INET);
}

/* GC, with the network's last attachment: its element and policy go (SAs are overlayd's). */
int overlay_encrypt_remove(struct cni_ctx *ctx, const struct nd_overlay_record *o)
{
	_cleanup_(nd_xfrm_closep) struct nd_xfrm *x = NULL;
	struct nd_ipsec_net n = { .vni = o->vni, .port = (uint16_t)o->port, .local = o->vtep };
	int r;

	if (!o->encrypted)
		return 0;
	if (!n.local.family)
		n.local.family = AF_INET;
	r = nd_xfrm_open(&x);
	if (r >= 0)
		r = nd_ipsec_policy_remove(x, &n);
	if (r < 0)
		return cni_fail(ctx, ND_ERR_KERNEL, r,
				"encrypted: removing the policy of VNI %u: %s", o->vni,
				nd_xfrm_reason(x, r));
	return nft_change(ctx, o->port, o->vni, false);
}
