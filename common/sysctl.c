// SPDX-License-Identifier: MIT
/* Sysctl writes through a procfs instance of our own (see sysctl.h for why). */
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mount.h>

#include "cleanup.h"
#include "lock.h"

static int private_procfs(void)
{
	_cleanup_(closep) int fs = (int)syscall(SYS_fsopen, "proc", FSOPEN_CLOEXEC);
	int mnt;

	if (fs < 0)
		return -errno;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	return mnt < 0 ? -errno : mnt;
}

int nd_sysctl_open(void)
{
	int fd = private_procfs();

	if (fd >= 0)
		return fd;
	fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int nd_sysctl_write(int proc, int lock_dir, const char *path, const char *value)
{
	char full[128];
	_cleanup_(closep) int lock = lock_dir >= 0 ? nd_lock_take(lock_dir, ".sysctl.lock") : -1;
	_cleanup_(closep) int fd = -1;
	size_t len = strlen(value);

	if ((size_t)snprintf(full, sizeof(full), "sys/%s", path) >= sizeof(full))
		return -ENAMETOOLONG;
	fd = openat(proc, full, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		return -errno;
	return 0;
}
