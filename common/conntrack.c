// SPDX-License-Identifier: MIT
/*
 * conntrack entries are deleted by conntrack(8): the nfnetlink_conntrack
 * filter it builds (original port, reply source) is what we need, and the
 * tool is one Debian package away. Called once per removed mapping.
 */
#include "conntrack.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int nd_conntrack_forget(const char *proto, uint16_t port, const struct nd_addr *target)
{
	char port_s[8], target_s[ND_ADDR_STRLEN];
	char *argv[] = { "conntrack",
			 "-D",
			 "-f",
			 target->family == AF_INET6 ? "ipv6" : "ipv4",
			 "-p",
			 (char *)proto,
			 "--orig-port-dst",
			 port_s,
			 "--reply-src",
			 target_s,
			 NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status = 0, r;

	snprintf(port_s, sizeof(port_s), "%u", port);
	nd_addr_to_str(target, target_s);
	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	r = posix_spawnp(&pid, "conntrack", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		return 0; /* no conntrack tool: nothing we can drop */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
