// SPDX-License-Identifier: MIT
/* Commit: one sendmsg for the whole batch, then one ack per message, errors with the kernel's words. */
#include "nft.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>

#include <libnftnl/batch.h>

#include "nft-internal.h"

static const char *msg_what(const struct nd_nft_txn *txn, uint32_t seq)
{
	for (size_t i = 0; i < txn->n_msgs; i++)
		if (txn->msgs[i].seq == seq)
			return txn->msgs[i].what;
	return "batch";
}

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* Records the first error; true once the batch is over (the last message's ack, or an error). */
static bool read_acks(const struct nd_nft_txn *txn, const char *buf, size_t len, int *err,
		      char *err_text, size_t err_size)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	bool done = false;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		const struct nlmsgerr *e;
		const char *kernel = NULL;

		if (nlh->nlmsg_type != NLMSG_ERROR ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nlmsgerr)))
			continue;
		e = mnl_nlmsg_get_payload(nlh);
		done = done || e->error || nlh->nlmsg_seq == txn->last->nlmsg_seq;
		if (e->error == 0 || *err)
			continue;
		*err = e->error;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			mnl_attr_parse(nlh, sizeof(*e), ext_ack_attr, &kernel);
		if (err_text)
			snprintf(err_text, err_size, "%s: %s%s%s", msg_what(txn, nlh->nlmsg_seq),
				 strerror(-e->error), kernel ? ": " : "", kernel ? kernel : "");
	}
	return done;
}

static int send_batch(struct nd_nft_txn *txn)
{
	size_t size = mnl_nlmsg_batch_size(txn->batch);
	int bufsize = (int)size + (64 << 10);

	/* netlink refuses a message larger than the socket's send buffer. */
	if (size > (128u << 10))
		setsockopt(mnl_socket_get_fd(txn->nl), SOL_SOCKET, SO_SNDBUFFORCE, &bufsize,
			   sizeof(bufsize));
	if (mnl_socket_sendto(txn->nl, mnl_nlmsg_batch_head(txn->batch), size) < 0)
		return -errno;
	return 0;
}

int nd_nft_txn_commit(struct nd_nft_txn *txn, char *err_text, size_t err_size)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	bool done = false;
	int err = 0, r;

	if (err_text && err_size)
		err_text[0] = '\0';
	if (txn->n_msgs == 0)
		return 0;
	txn->last->nlmsg_flags |= NLM_F_ACK;
	nftnl_batch_end(mnl_nlmsg_batch_current(txn->batch), txn->seq++);
	if (!mnl_nlmsg_batch_next(txn->batch))
		return -E2BIG;
	r = send_batch(txn);
	if (r < 0)
		return r;
	/*
	 * The kernel runs the whole batch inside sendmsg: what comes back is an
	 * error per refused message (then it applied nothing) and the last
	 * message's ack. After a failure it may not ack the rest.
	 */
	while (!done) {
		ssize_t n = mnl_socket_recvfrom(txn->nl, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done = read_acks(txn, buf, (size_t)n, &err, err_text, err_size);
	}
	txn->n_msgs = 0;
	return err;
}
