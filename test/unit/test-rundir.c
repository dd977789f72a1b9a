// SPDX-License-Identifier: MIT
/* Temporaries of killed writers: DEL removes its own, GC those whose writer is dead. */
#include "rundir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "tap.h"

static bool exists(int dirfd, const char *name)
{
	return faccessat(dirfd, name, F_OK, 0) == 0;
}

static void touch(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
}

/* A pid that was ours and is gone: a child that exited and was reaped. */
static int dead_pid(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return (int)pid;
}

static void sweep(struct tap *t)
{
	char dir[] = "/tmp/nd-test-rundir.XXXXXX", dead[64], alive[64], other[64], cmd[96];
	_cleanup_(closep) int fd = -1;
	int pid = dead_pid();

	TAP_OK(t, mkdtemp(dir) != NULL, "temp dir");
	fd = nd_dir_open(dir, false);
	snprintf(dead, sizeof(dead), ".a-eth0.json.tmp.%d", pid);
	snprintf(alive, sizeof(alive), ".a-eth0.json.tmp.%d", (int)getpid());
	snprintf(other, sizeof(other), ".b-eth0.json.tmp.%d", pid);
	touch(fd, "a-eth0.json");
	touch(fd, dead);
	touch(fd, alive);
	touch(fd, other);
	touch(fd, ".b-eth0.json.tmp.x");
	touch(fd, ".sysctl.lock");
	TAP_OK(t, nd_tmp_sweep(fd, "a-eth0.json") == 2, "DEL: both temporaries of its record");
	TAP_OK(t, !exists(fd, dead) && !exists(fd, alive), "... whoever wrote them");
	TAP_OK(t, exists(fd, "a-eth0.json") && exists(fd, other), "the record and others stay");
	touch(fd, alive);
	TAP_OK(t, nd_tmp_sweep(fd, NULL) == 1, "GC: only the dead writer's");
	TAP_OK(t, !exists(fd, other) && exists(fd, alive), "a live writer's stays");
	TAP_OK(t, exists(fd, ".b-eth0.json.tmp.x") && exists(fd, ".sysctl.lock"),
	       "names that are no temporaries stay");
	TAP_OK(t, nd_tmp_sweep(-1, NULL) < 0, "a bad dir fd is an error");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	TAP_OK(t, system(cmd) == 0, "cleanup");
}

int main(void)
{
	struct tap t = { 0 };

	sweep(&t);
	return tap_done(&t);
}
