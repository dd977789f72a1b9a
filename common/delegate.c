// SPDX-License-Identifier: MIT
/*
 * Delegation: in-process for the plugins this binary carries, otherwise over
 * posix_spawn (one clone(CLONE_VFORK), no copy of our address space).
 */
#include "delegate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "json.h"
#include "rundir.h"

extern char **environ;

#define DELEGATE_STDOUT_MAX (1u << 20)

const char *cni_verb_name(enum cni_verb verb)
{
	static const char *const names[] = { "ADD", "DEL", "CHECK", "VERSION", "STATUS", "GC" };

	return verb < ND_ARRAY_SIZE(names) ? names[verb] : "?";
}

static int find_plugin(struct cni_ctx *ctx, const char *type, char *path, size_t size)
{
	_cleanup_(freep) char *dirs = NULL;
	char *save = NULL;

	if (!nd_name_valid(type))
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"ipam.type \"%.64s\" is not a plugin name", type);
	if (!ctx->cni_path || !*ctx->cni_path)
		return cni_fail(ctx, CNI_ERR_INVALID_ENV, -EINVAL,
				"CNI_PATH is not set; cannot find plugin %s", type);
	dirs = strdup(ctx->cni_path);
	if (!dirs)
		return -ENOMEM;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(path, size, "%s/%s", d, type) >= size)
			continue;
		if (access(path, X_OK) == 0)
			return 0;
	}
	return cni_fail(ctx, ND_ERR_DELEGATE, -ENOENT, "plugin %s not found in CNI_PATH %s", type,
			ctx->cni_path);
}

/* environ with CNI_COMMAND replaced; the strings are borrowed, the array is owned. */
static char **delegate_env(char *command)
{
	size_t n = 0, j = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12))
			env[j++] = environ[i];
	env[j] = command;
	return env;
}

static int spawn(const char *path, int in_fd, int out_fd, char **env, pid_t *ret)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)path, NULL };
	int r;

	if (posix_spawn_file_actions_init(&fa))
		return -ENOMEM;
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	r = posix_spawn(ret, path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* Feeds stdin then drains stdout; CNI plugins read all of stdin before writing. */
static int exchange(struct cni_ctx *ctx, int to_child, int from_child, char **out)
{
	_cleanup_(freep) char *buf = malloc(DELEGATE_STDOUT_MAX + 1);
	size_t off = 0, len = 0;

	if (!buf)
		return -ENOMEM;
	while (off < ctx->stdin_len) {
		ssize_t n = write(to_child, ctx->stdin_buf + off, ctx->stdin_len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break; /* the child exited early; its status tells why */
		off += (size_t)n;
	}
	close(to_child);
	for (;;) {
		ssize_t n = read(from_child, buf + len, DELEGATE_STDOUT_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len == DELEGATE_STDOUT_MAX)
			break;
	}
	buf[len] = '\0';
	*out = steal_ptr(buf);
	return 0;
}

static int record_child_error(struct cni_ctx *ctx, const char *type, enum cni_verb verb,
			      const char *out, int status)
{
	_cleanup_(cJSON_Deletep) cJSON *err = cJSON_Parse(out);
	const cJSON *code = err ? nd_json_get(err, "code") : NULL;
	const cJSON *msg = err ? nd_json_get(err, "msg") : NULL;
	const cJSON *details = err ? nd_json_get(err, "details") : NULL;

	if (!cJSON_IsNumber(code) || !cJSON_IsString(msg))
		return cni_fail(ctx, ND_ERR_DELEGATE, -EIO, "%s %s exited with status %d", type,
				cni_verb_name(verb), WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	cni_fail(ctx, code->valueint, -EIO, "%s: %s", type, msg->valuestring);
	if (cJSON_IsString(details))
		cni_fail_details(ctx, "%s", details->valuestring);
	return -EIO;
}

static const struct cni_plugin *carried_plugin(const struct cni_ctx *ctx, const char *type)
{
	const struct cni_plugin *const *p = ctx->plugin ? ctx->plugin->carried : NULL;

	for (; p && *p; p++)
		if (!strcmp((*p)->name, type))
			return *p;
	return NULL;
}

bool nd_delegate_carries(const struct cni_ctx *ctx, const char *type)
{
	return carried_plugin(ctx, type) != NULL;
}

/* What the exec would do, on a context of its own: its failures stay its own until copied. */
static int delegate_in_process(struct cni_ctx *ctx, const struct cni_plugin *p, enum cni_verb verb,
			       struct cni_result *ret)
{
	_cleanup_(cni_ctx_freep) struct cni_ctx *sub = calloc(1, sizeof(*sub));
	int r;

	if (!sub)
		return -ENOMEM;
	sub->plugin = p;
	sub->verb = verb;
	r = cni_ctx_load(sub, ctx->stdin_buf, ctx->stdin_len);
	if (r >= 0)
		r = cni_dispatch(p, sub);
	if (r < 0) {
		if (!sub->err_code)
			cni_fail(sub, ND_ERR_INTERNAL, r, "%s", strerror(-r));
		cni_fail(ctx, sub->err_code, r, "%s: %s", p->name, sub->err_msg);
		if (sub->err_details[0])
			cni_fail_details(ctx, "%s", sub->err_details);
		return r;
	}
	if (verb == CNI_ADD && ret)
		*ret = sub->result;
	return 0;
}

int nd_delegate(struct cni_ctx *ctx, const char *type, enum cni_verb verb, struct cni_result *ret)
{
	const struct cni_plugin *carried = carried_plugin(ctx, type);
	char path[PATH_MAX], command[32];
	_cleanup_(freep) char **env = NULL;
	_cleanup_(freep) char *out = NULL;
	int in[2], outp[2], status = 0, r;
	pid_t pid;

	if (carried)
		return delegate_in_process(ctx, carried, verb, ret);
	r = find_plugin(ctx, type, path, sizeof(path));
	if (r < 0)
		return r;
	snprintf(command, sizeof(command), "CNI_COMMAND=%s", cni_verb_name(verb));
	env = delegate_env(command);
	if (!env)
		return -ENOMEM;
	if (pipe2(in, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(outp, O_CLOEXEC) < 0) {
		r = -errno;
		close(in[0]);
		close(in[1]);
		return r;
	}
	r = spawn(path, in[0], outp[1], env, &pid);
	close(in[0]);
	close(outp[1]);
	if (r < 0) {
		close(in[1]);
		close(outp[0]);
		return cni_fail(ctx, ND_ERR_DELEGATE, r, "cannot run %s: %s", path, strerror(-r));
	}
	/* A child that exits before reading stdin must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	r = exchange(ctx, in[1], outp[0], &out);
	close(outp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return record_child_error(ctx, type, verb, out, status);
	if (verb == CNI_ADD && ret)
		return cni_result_parse_text(ctx, out, type, ret);
	return 0;
}
