// SPDX-License-Identifier: MIT
/* Overlay config keys on top of bridge's: vni, vtep, port, store. */
#include "overlay.h"

#include <errno.h>
#include <string.h>

#include "conf.h"
#include "etcd-conf.h"

int overlay_conf_parse(struct cni_ctx *ctx, struct overlay_conf *ret)
{
	struct overlay_conf *c = ret;
	const cJSON *store = NULL;
	int r;

	*c = (struct overlay_conf){ .port = OVERLAY_PORT_DEFAULT };
	nd_host_name(c->host);
	r = nd_conf_uint(ctx, ctx->conf, "", "vni", 1, ND_VNI_MAX, &c->vni);
	if (r >= 0)
		r = nd_conf_string_buf(ctx, ctx->conf, "", "vtep", c->vtep, sizeof(c->vtep));
	if (r >= 0)
		r = nd_conf_uint(ctx, ctx->conf, "", "port", 1, 65535, &c->port);
	if (r >= 0)
		r = overlay_encrypt_conf(ctx, c);
	if (r >= 0)
		r = nd_conf_object(ctx, ctx->conf, "", "store", &store);
	if (r >= 0 && store) {
		r = nd_etcd_conf_parse(ctx, store, "store", &c->store);
		c->has_store = r >= 0;
	}
	return r;
}

void overlay_conf_clear(struct overlay_conf *c)
{
	nd_etcd_conf_clear(&c->store);
}
