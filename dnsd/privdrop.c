// SPDX-License-Identifier: MIT
/*
 * After binding, dnsd runs as an unprivileged user keeping one capability,
 * CAP_NET_BIND_SERVICE, so it can still open port 53 for networks created
 * later. Nothing else: no CAP_NET_ADMIN, no root files.
 */
#include "dnsd.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <sys/capability.h>

#include "cleanup.h"

ND_CLEANUP(cap_t, cap_free)

static int keep_bind_cap(void)
{
	_cleanup_(cap_freep) cap_t caps = cap_init();
	cap_value_t keep[] = { CAP_NET_BIND_SERVICE };

	if (!caps)
		return -ENOMEM;
	if (cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET) < 0 || cap_set_proc(caps) < 0)
		return -errno;
	return 0;
}

int dnsd_drop_privileges(const char *user)
{
	struct passwd *pw = getpwnam(user);
	int r;

	if (!pw)
		return -ENOENT;
	if (geteuid() != 0)
		return 0; /* started unprivileged: nothing to drop */
	/* Keep the permitted set across setuid, then cut it down to the one capability. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return -errno;
	r = keep_bind_cap();
	if (r < 0)
		return r;
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}
