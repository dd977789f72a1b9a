// SPDX-License-Identifier: MIT
/* One RTM_SETLINK of family AF_BRIDGE carrying the port's protinfo flags. */
#include "brport.h"

#include <errno.h>
#include <sys/socket.h>

#include <linux/if_bridge.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include <netlink/msg.h>

ND_CLEANUP(struct nl_msg *, nlmsg_free)

int nd_brport_set(struct nd_nl *nl, int ifindex, const struct nd_brport_flags *f)
{
	_cleanup_(nlmsg_freep) struct nl_msg *msg = nlmsg_alloc_simple(RTM_SETLINK, NLM_F_REQUEST);
	struct ifinfomsg ifi = { .ifi_family = AF_BRIDGE, .ifi_index = ifindex };
	struct nlattr *info;

	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0)
		return -ENOMEM;
	info = nla_nest_start(msg, IFLA_PROTINFO | NLA_F_NESTED);
	if (!info || nla_put_u8(msg, IFLA_BRPORT_MODE, f->hairpin) < 0 ||
	    nla_put_u8(msg, IFLA_BRPORT_ISOLATED, f->isolated) < 0)
		return -ENOMEM;
	nla_nest_end(msg, info);
	/* nl_send_sync frees the message, sent or not. */
	return nd_nl_result(nl, nl_send_sync(nl->sk, steal_ptr(msg)));
}
