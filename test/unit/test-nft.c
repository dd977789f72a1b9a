// SPDX-License-Identifier: MIT
/* nftables transactions against the kernel, in a table of this test's own. */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"

static int build(struct nd_nft_txn *txn)
{
	struct nd_nft_set_spec ports = {
		.name = "ports",
		.key = { ND_NFT_TYPE_IPV4, ND_NFT_TYPE_INET_PROTO, ND_NFT_TYPE_INET_SERVICE },
		.n_key = 3,
		.data = { ND_NFT_TYPE_IPV4, ND_NFT_TYPE_INET_SERVICE },
		.n_data = 2,
	};
	struct nd_nft_set_spec nets = {
		.name = "nets", .key = { ND_NFT_TYPE_IPV4 }, .n_key = 1, .interval = true
	};
	struct nd_nft_rule *rule;
	int r;

	r = nd_nft_table_declare(txn);
	if (r >= 0)
		r = nd_nft_chain_declare(txn, "unit_forward", "filter", NF_INET_FORWARD, 0);
	if (r >= 0)
		r = nd_nft_chain_flush(txn, "unit_forward");
	if (r >= 0)
		r = nd_nft_set_declare(txn, &ports);
	if (r >= 0)
		r = nd_nft_set_declare(txn, &nets);
	if (r < 0)
		return r;
	rule = nd_nft_rule_begin(txn, "unit_forward");
	nd_nft_match_nfproto(rule, NFPROTO_IPV4);
	nd_nft_payload(rule, NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1);
	nd_nft_lookup(rule, "nets", NFT_REG_1, -1, false);
	nd_nft_counter(rule);
	nd_nft_comment(rule, "netdock unit test");
	nd_nft_verdict(rule, NF_ACCEPT, NULL);
	return nd_nft_rule_end(txn, rule);
}

static struct nd_nft_data port_key(const char *ip, uint8_t proto, uint16_t port)
{
	struct nd_nft_data k = { .len = 0 };
	struct in_addr a;

	inet_pton(AF_INET, ip, &a);
	nd_nft_data_put(&k, &a, 4);
	nd_nft_data_put_u8(&k, proto);
	nd_nft_data_put_port(&k, port);
	return k;
}

int main(void)
{
	struct tap t = { 0 };
	struct nd_nft_txn *txn = NULL;
	char table[32], err[256], cmd[128];
	struct nd_nft_data k = port_key("192.0.2.1", 6, 8080), v = { .len = 0 }, lo = { .len = 0 },
			   hi = { .len = 0 };
	struct in_addr a;
	int r;

	snprintf(table, sizeof(table), "nd_unit_%d", (int)getpid());
	setenv("NETDOCK_NFT_TABLE", table, 1);
	inet_pton(AF_INET, "172.25.0.2", &a);
	nd_nft_data_put(&v, &a, 4);
	nd_nft_data_put_port(&v, 80);
	inet_pton(AF_INET, "172.25.0.0", &a);
	nd_nft_data_put(&lo, &a, 4);
	inet_pton(AF_INET, "172.25.255.255", &a);
	nd_nft_data_put(&hi, &a, 4);

	r = nd_nft_txn_new(&txn);
	TAP_OK(&t, r == 0, "transaction opens");
	r = build(txn);
	if (r >= 0)
		r = nd_nft_elem_add(txn, "ports", &k, &v);
	if (r >= 0)
		r = nd_nft_elem_add_range(txn, "nets", &lo, &hi);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	TAP_OK(&t, r == 0, "table, chain, map, interval set, rule commit in one batch (%s)", err);
	nd_nft_txn_free(txn);

	TAP_OK(&t, nd_nft_elem_exists("ports", &k) == 1, "map element is found");
	k = port_key("192.0.2.1", 6, 8081);
	TAP_OK(&t, nd_nft_elem_exists("ports", &k) == 0, "other element is not");

	/* Re-running the same batch is idempotent: declare, flush, re-add. */
	nd_nft_txn_new(&txn);
	r = build(txn);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	TAP_OK(&t, r == 0, "the same batch commits again (%s)", err);
	nd_nft_txn_free(txn);
	snprintf(cmd, sizeof(cmd),
		 "nft list chain inet %s unit_forward | grep -c 'netdock unit test' | grep -qx 1",
		 table);
	TAP_OK(&t, system(cmd) == 0, "the chain holds the rule once after two runs");

	/* A failing message aborts the whole batch and names the object at fault. */
	nd_nft_txn_new(&txn);
	k = port_key("192.0.2.9", 6, 9);
	r = nd_nft_elem_add(txn, "ports", &k, &v);
	if (r >= 0)
		r = nd_nft_elem_del(txn, "missing-set", &k);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	TAP_OK(&t, r == -ENOENT, "a delete from a missing set fails with ENOENT (%d)", r);
	TAP_OK(&t, strstr(err, "missing-set") != NULL, "the error names the set: %s", err);
	nd_nft_txn_free(txn);
	TAP_OK(&t, nd_nft_elem_exists("ports", &k) == 0, "nothing of the failed batch was applied");

	nd_nft_txn_new(&txn);
	r = nd_nft_table_delete(txn);
	if (r >= 0)
		r = nd_nft_txn_commit(txn, err, sizeof(err));
	TAP_OK(&t, r == 0, "table deleted (%s)", err);
	nd_nft_txn_free(txn);
	return tap_done(&t);
}
