// SPDX-License-Identifier: MIT
/* The port's source addresses (common/antispoof.h): queued on ADD, removed on DEL and GC. */
#include "bridge.h"

#include <errno.h>
#include <string.h>

#include "antispoof.h"
#include "cleanup.h"
#include "rundir.h"

int bridge_antispoof_add(struct nd_nft_txn *txn, const char *host_ifname,
			 const struct cni_result *ipam)
{
	struct nd_prefix ips[CNI_MAX_IPS];
	size_t n = 0;

	for (size_t i = 0; i < ipam->n_ips && n < CNI_MAX_IPS; i++)
		ips[n++] = ipam->ips[i].address;
	return nd_antispoof_add(txn, host_ifname, ips, n);
}

int bridge_antispoof_remove(struct cni_ctx *ctx, int run_fd, const char *cid, const char *ifname,
			    const char *host_ifname)
{
	struct nd_nft_txn *txn = NULL;
	struct nd_endpoint_record e;
	char err[256] = "";
	int r;

	/* The record holds the addresses; without one, this ADD never reached its commit. */
	if (run_fd < 0 || nd_endpoint_record_read(run_fd, ctx->net_name, cid, ifname, &e) < 0)
		return 0;
	r = nd_nft_txn_new(&txn);
	if (r >= 0)
		r = nd_antispoof_remove(txn, host_ifname, e.ips, e.n_ips);
	nd_endpoint_record_clear(&e);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	if (r < 0) {
		cni_fail(ctx, ND_ERR_NFT, r,
			 "removing %s's source addresses from bridge table %s: %s", host_ifname,
			 nd_nft_table_name(), strerror(-r));
		cni_fail_details(ctx, "%s", err);
	}
	nd_nft_txn_free_via(txn, nd_run_dir_path(ctx));
	return r;
}
