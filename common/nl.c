// SPDX-License-Identifier: MIT
/* libnl socket setup with one error callback that keeps the kernel's errno and reason. */
#include "nl.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/nsfs.h>

#include <libmnl/libmnl.h>
#include <netlink/errno.h>

static int ext_ack_attr(const struct nlattr *a, void *data)
{
	struct nd_nl *nl = data;

	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(nl->ext_ack, sizeof(nl->ext_ack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nd_nl *nl = arg;
	/* libnl hands us the payload; the header sits right before it. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);

	nl->kernel_err = e->error;
	nl->ext_ack[0] = '\0';
	if (e->error && (nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		mnl_attr_parse(nlh, sizeof(*e), ext_ack_attr, nl);
	return NL_STOP;
}

int nd_nl_open(struct nd_nl **ret)
{
	_cleanup_(nd_nl_closep) struct nd_nl *nl = calloc(1, sizeof(*nl));
	int one = 1, r;

	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	r = nl_connect(nl->sk, NETLINK_ROUTE);
	if (r < 0)
		return -ECONNREFUSED;
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(nl->sk, NL_CB_CUSTOM, on_error, nl);
	*ret = steal_ptr(nl);
	return 0;
}

void nd_nl_close(struct nd_nl *nl)
{
	if (!nl)
		return;
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
}

/* Fallback for errors libnl raised itself, without a kernel reply. */
static int nlerr_to_errno(int r)
{
	switch (-r) {
	case NLE_EXIST:
		return -EEXIST;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_RANGE:
		return -ERANGE;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	default:
		return -EINVAL;
	}
}

int nd_nl_result(struct nd_nl *nl, int r)
{
	int kernel = nl->kernel_err;

	nl->kernel_err = 0;
	if (r >= 0) {
		nl->ext_ack[0] = '\0';
		return 0;
	}
	return kernel < 0 ? kernel : nlerr_to_errno(r);
}

struct nl_addr *nd_nl_addr(const struct nd_addr *a, unsigned prefixlen)
{
	struct nl_addr *n = nl_addr_build(a->family, a->bytes, nd_addr_len(a));

	if (n)
		nl_addr_set_prefixlen(n, (int)prefixlen);
	return n;
}

int nd_netns_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0)
		return -errno;
	/* Any file opens; only an nsfs file of a network namespace is one (not ENOTTY). */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int nd_netns_enter(int fd, int *ret_orig)
{
	int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (orig < 0)
		return -errno;
	if (setns(fd, CLONE_NEWNET) < 0) {
		int e = -errno;

		close(orig);
		return e;
	}
	*ret_orig = orig;
	return 0;
}

int nd_netns_leave(int orig)
{
	int r = setns(orig, CLONE_NEWNET) < 0 ? -errno : 0;

	close(orig);
	return r;
}
