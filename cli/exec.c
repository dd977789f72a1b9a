// SPDX-License-Identifier: MIT
/* Running one CNI plugin as libcni does: found on CNI_PATH, config on stdin, result on stdout. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rundir.h"

#define PLUGIN_STDOUT_MAX (1u << 20)

static int find(const struct cli *c, const char *type, char *path, size_t size)
{
	_cleanup_(freep) char *dirs = strdup(c->cni_path);
	char *save = NULL;

	if (!dirs)
		return -ENOMEM;
	if (!nd_name_valid(type))
		return -EINVAL;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, size, "%s/%s", d, type);
		if (access(path, X_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

static int read_all(int fd, char **ret)
{
	_cleanup_(freep) char *buf = malloc(PLUGIN_STDOUT_MAX + 1);
	size_t len = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while (len < PLUGIN_STDOUT_MAX && (n = read(fd, buf + len, PLUGIN_STDOUT_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = steal_ptr(buf);
	return 0;
}

static int spawn(const char *path, const char *const *env, int in, int out, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	char *const argv[] = { (char *)path, NULL };
	int r;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	/* The plugin's log lines repeat its error object, which we print; NETDOCK_LOG_FILE keeps them. */
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(pid, path, &fa, NULL, argv, (char *const *)env);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

int cli_plugin_exec(const struct cli *c, const char *type, const char *const *env,
		    const char *stdin_text, char **ret_out)
{
	_cleanup_(closep) int in_r = -1, in_w = -1, out_r = -1, out_w = -1;
	char path[PATH_MAX];
	int p[2], status, r = find(c, type, path, sizeof(path));
	size_t len = strlen(stdin_text);
	pid_t pid;

	if (r < 0)
		return r;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	in_r = p[0];
	in_w = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	out_r = p[0];
	out_w = p[1];
	r = spawn(path, env, in_r, out_w, &pid);
	if (r < 0)
		return r;
	closep(&in_r);
	closep(&out_w);
	in_r = out_w = -1;
	/* Plugins read their whole stdin before writing: write, close, then read. */
	for (size_t off = 0; off < len;) {
		ssize_t n = write(in_w, stdin_text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		off += (size_t)n;
	}
	closep(&in_w);
	in_w = -1;
	r = read_all(out_r, ret_out);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}
