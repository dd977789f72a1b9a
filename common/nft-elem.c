// SPDX-License-Identifier: MIT
/* Set and map elements: the per-container data of every netdock rule. */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libnftnl/set.h>

#include "nft-internal.h"

ND_CLEANUP(struct nftnl_set *, nftnl_set_free)

void nd_nft_data_put(struct nd_nft_data *d, const void *field, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;

	if (d->len + padded > sizeof(d->bytes))
		return;
	memset(d->bytes + d->len, 0, padded);
	memcpy(d->bytes + d->len, field, len);
	d->len += padded;
}

void nd_nft_data_put_u8(struct nd_nft_data *d, uint8_t v)
{
	nd_nft_data_put(d, &v, 1);
}

void nd_nft_data_put_port(struct nd_nft_data *d, uint16_t port)
{
	uint16_t be = htons(port);

	nd_nft_data_put(d, &be, 2);
}

void nd_nft_data_put_ifname(struct nd_nft_data *d, const char *ifname)
{
	char name[16] = { 0 };

	strncpy(name, ifname, sizeof(name) - 1);
	nd_nft_data_put(d, name, sizeof(name));
}

static struct nftnl_set *elem_set(const struct nd_nft_txn *txn, const char *set)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (!s)
		return NULL;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, txn->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, txn->family);
	return s;
}

static int elem_append(struct nftnl_set *s, const struct nd_nft_data *key,
		       const struct nd_nft_data *data, uint32_t flags)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();

	if (!e)
		return -ENOMEM;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key->bytes, (uint32_t)key->len);
	if (data)
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data->bytes, (uint32_t)data->len);
	if (flags)
		nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_FLAGS, flags);
	nftnl_set_elem_add(s, e);
	return 0;
}

static int elem_send(struct nd_nft_txn *txn, struct nftnl_set *s, uint16_t type, const char *what)
{
	struct nlmsghdr *nlh;
	const char *name = nftnl_set_get_str(s, NFTNL_SET_NAME);

	nlh = nd_nft_txn_msg(txn, type, type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, what, name);
	if (!nlh)
		return -ENOMEM;
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	return nd_nft_txn_next(txn);
}

int nd_nft_elem_add(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key,
		    const struct nd_nft_data *data)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = elem_set(txn, set);
	int r;

	if (!s)
		return -ENOMEM;
	r = elem_append(s, key, data, 0);
	return r < 0 ? r : elem_send(txn, s, NFT_MSG_NEWSETELEM, "add element to");
}

int nd_nft_elem_del(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = elem_set(txn, set);
	int r;

	if (!s)
		return -ENOMEM;
	r = elem_append(s, key, NULL, 0);
	return r < 0 ? r : elem_send(txn, s, NFT_MSG_DELSETELEM, "delete element from");
}

/* Interval sets hold [from, to] as a start element and an end element at to + 1. */
static int range_elems(struct nftnl_set *s, const struct nd_nft_data *from,
		       const struct nd_nft_data *to)
{
	struct nd_nft_data end = *to;
	bool wrapped = true;
	int r;

	for (size_t i = end.len; i-- > 0 && wrapped;)
		wrapped = ++end.bytes[i] == 0;
	r = elem_append(s, from, NULL, 0);
	/* A range ending at the last address has no end element. */
	if (r >= 0 && !wrapped)
		r = elem_append(s, &end, NULL, NFT_SET_ELEM_INTERVAL_END);
	return r;
}

static int range_send(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *from,
		      const struct nd_nft_data *to, uint16_t type, const char *what)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = elem_set(txn, set);
	int r;

	if (!s)
		return -ENOMEM;
	r = range_elems(s, from, to);
	return r < 0 ? r : elem_send(txn, s, type, what);
}

int nd_nft_elem_add_range(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *from,
			  const struct nd_nft_data *to)
{
	return range_send(txn, set, from, to, NFT_MSG_NEWSETELEM, "add range to");
}

int nd_nft_elem_del_range(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *from,
			  const struct nd_nft_data *to)
{
	return range_send(txn, set, from, to, NFT_MSG_DELSETELEM, "delete range from");
}

int nd_nft_elem_add_verdict(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key,
			    int verdict, const char *chain)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = elem_set(txn, set);
	struct nftnl_set_elem *e;

	if (!s)
		return -ENOMEM;
	e = nftnl_set_elem_alloc();
	if (!e)
		return -ENOMEM;
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key->bytes, (uint32_t)key->len);
	nftnl_set_elem_set_u32(e, NFTNL_SET_ELEM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_set_elem_set_str(e, NFTNL_SET_ELEM_CHAIN, chain);
	nftnl_set_elem_add(s, e);
	return elem_send(txn, s, NFT_MSG_NEWSETELEM, "add element to");
}

/* One GETSETELEM round trip on nl; the reply is the element or an error. */
static int exists_on(struct mnl_socket *nl, uint8_t family, const char *table, const char *set,
		     const struct nd_nft_data *key)
{
	_cleanup_(nftnl_set_freep) struct nftnl_set *s = nftnl_set_alloc();
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t seq = (uint32_t)time(NULL), portid = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	int r, found = 0;

	if (!s || elem_append(s, key, NULL, 0) < 0)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, family, NLM_F_ACK, seq);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	r = mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -errno : 0;
	while (r == 0) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			r = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (r < 0) {
			r = errno == ENOENT ? 0 : -errno;
			break;
		}
		found = 1;
		if (r == MNL_CB_STOP)
			break;
		r = 0;
	}
	return r < 0 ? r : found;
}

int nd_nft_txn_elem_exists(struct nd_nft_txn *txn, const char *set, const struct nd_nft_data *key)
{
	return exists_on(txn->nl, txn->family, txn->table, set, key);
}

int nd_nft_elem_exists(const char *set, const struct nd_nft_data *key)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	int r;

	if (!nl)
		return -errno;
	r = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ? -errno : 0;
	if (r == 0)
		r = exists_on(nl, NFPROTO_INET, nd_nft_table_name(), set, key);
	mnl_socket_close(nl);
	return r;
}
