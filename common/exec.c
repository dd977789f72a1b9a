// SPDX-License-Identifier: MIT
/* Host tools run with posix_spawn; both output streams read through one poll loop. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"

extern char **environ;

struct sink {
	int fd;
	char *buf;
	size_t len;
};

/* PATH first; plugins run with a runtime's PATH, which may lack the sbin dirs. */
static int find_tool(const char *name, char *path, size_t size)
{
	const char *env = getenv("PATH");
	char dirs[4096];

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin:/usr/bin", env ? env : "");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/%s", d, name);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

static int drain(struct sink *s, size_t n_sinks)
{
	struct pollfd p[2];
	char chunk[4096];
	size_t open_fds = n_sinks;

	while (open_fds) {
		for (size_t i = 0; i < n_sinks; i++)
			p[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
		if (poll(p, n_sinks, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (size_t i = 0; i < n_sinks; i++) {
			ssize_t n;

			if (s[i].fd < 0 || !p[i].revents)
				continue;
			n = read(s[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(s[i].fd);
				s[i].fd = -1;
				open_fds--;
				continue;
			}
			if (s[i].len + (size_t)n > ND_EXEC_OUT_MAX)
				n = (ssize_t)(ND_EXEC_OUT_MAX - s[i].len);
			memcpy(s[i].buf + s[i].len, chunk, (size_t)n);
			s[i].len += (size_t)n;
		}
	}
	return 0;
}

static int spawn(const char *path, const char *const argv[], int out, int err, pid_t *ret)
{
	posix_spawn_file_actions_t fa;
	int r;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	r = posix_spawn(ret, path, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -ECHILD;
}

int nd_exec(const char *const argv[], char **ret_out, char **ret_err)
{
	_cleanup_(freep) char *out = malloc(ND_EXEC_OUT_MAX + 1);
	_cleanup_(freep) char *err = malloc(ND_EXEC_OUT_MAX + 1);
	struct sink s[2] = { { .fd = -1, .buf = out }, { .fd = -1, .buf = err } };
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, r;
	char path[512];
	pid_t pid;

	if (!out || !err)
		return -ENOMEM;
	r = find_tool(argv[0], path, sizeof(path));
	if (r < 0)
		return r;
	if (pipe2(po, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		r = -errno;
		close(po[0]);
		close(po[1]);
		return r;
	}
	r = spawn(path, argv, po[1], pe[1], &pid);
	close(po[1]);
	close(pe[1]);
	s[0].fd = po[0];
	s[1].fd = pe[0];
	if (r >= 0) {
		int d = drain(s, 2);

		r = wait_child(pid);
		if (d < 0 && r >= 0)
			r = d;
	}
	for (size_t i = 0; i < 2; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	out[s[0].len] = err[s[1].len] = '\0';
	if (ret_out)
		*ret_out = steal_ptr(out);
	if (ret_err)
		*ret_err = steal_ptr(err);
	return r;
}
