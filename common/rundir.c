// SPDX-License-Identifier: MIT
/* Path safety and crash-safe file replacement for the run and lib dirs. */
#include "rundir.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "conf.h"
#include "json.h"

bool nd_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > ND_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (const char *p = name; *p; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

const char *nd_run_dir_path(const struct cni_ctx *ctx)
{
	const cJSON *v = ctx && ctx->conf ? nd_json_get(ctx->conf, "runDir") : NULL;
	const char *env = getenv("NETDOCK_RUN_DIR");

	/* Only an absolute one: a DEL that forgave a bad runDir must not write beside its cwd. */
	if (cJSON_IsString(v) && v->valuestring[0] == '/')
		return v->valuestring;
	return env && *env ? env : ND_RUN_DIR_DEFAULT;
}

const char *nd_lib_dir_path(const char *configured)
{
	const char *env = getenv("NETDOCK_LIB_DIR");

	if (configured && configured[0] == '/')
		return configured;
	return env && *env ? env : ND_LIB_DIR_DEFAULT;
}

int nd_dir_conf(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		const char **ret)
{
	const char *s = NULL;
	int r = nd_conf_string(ctx, obj, path, key, &s);

	if (r < 0 || !s || !*s)
		return r;
	if (s[0] != '/' || strlen(s) > ND_DIR_PATH_MAX)
		return cni_fail(ctx, CNI_ERR_INVALID_CONFIG, -EINVAL,
				"%s%s%s \"%.64s\" must be an absolute path of at most %d bytes",
				path, path[0] ? "." : "", key, s, ND_DIR_PATH_MAX);
	*ret = s;
	return 0;
}

int nd_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int nd_dir_open(const char *path, bool create)
{
	int fd;

	if (create) {
		int r = nd_mkdir_p(path);

		if (r < 0)
			return r;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int nd_subdir_open(int dirfd, const char *name, bool create)
{
	int fd;

	if (create && mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int nd_subdir_find(int dirfd, const char *child, char *ret)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	char path[2 * ND_NAME_MAX + 2];

	if (nd_dir_stream(dirfd, ".", &d) < 0)
		return -ENOENT;
	while ((de = readdir(d))) {
		if (!nd_name_valid(de->d_name) ||
		    snprintf(path, sizeof(path), "%s/%s", de->d_name, child) >= (int)sizeof(path))
			continue;
		if (!faccessat(dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW)) {
			strcpy(ret, de->d_name);
			return 0;
		}
	}
	return -ENOENT;
}

int nd_dir_stream(int dirfd, const char *name, DIR **ret)
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int e = -errno;

		close(fd);
		return e;
	}
	*ret = d;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int replace(int dirfd, const char *name, const void *data, size_t len, bool durable)
{
	char tmp[PATH_MAX];
	_cleanup_(closep) int fd = -1;
	int r;

	if ((size_t)snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", name, (int)getpid()) >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, len);
	if (r >= 0 && durable && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(dirfd, tmp, 0);
	return r;
}

int nd_file_write_atomic(int dirfd, const char *name, const void *data, size_t len)
{
	return replace(dirfd, name, data, len, true);
}

int nd_file_replace(int dirfd, const char *name, const void *data, size_t len)
{
	return replace(dirfd, name, data, len, false);
}

static bool file_holds(int dirfd, const char *name, const void *data, size_t len)
{
	_cleanup_(closep) int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_(freep) char *buf = NULL;
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return false;
	buf = malloc(len + 1);
	return buf && pread(fd, buf, len + 1, 0) == (ssize_t)len && !memcmp(buf, data, len);
}

int nd_file_update(int dirfd, const char *name, const void *data, size_t len)
{
	if (file_holds(dirfd, name, data, len))
		return 0;
	return nd_file_replace(dirfd, name, data, len);
}

int nd_file_read(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_(closep) int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	_cleanup_(freep) char *buf = NULL;
	size_t len = 0, cap = 4096;

	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *bigger;

			if (cap >= max)
				return -EFBIG;
			cap = cap * 2 > max ? max : cap * 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger)
				return -ENOMEM;
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = steal_ptr(buf);
	return 0;
}

int nd_file_remove(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* ".<name>.tmp.<pid>": the writer's pid, or 0 when file is no temporary file (of name). */
static int tmp_writer(const char *file, const char *name)
{
	const char *tag = strstr(file, ".tmp.");
	size_t len = tag ? (size_t)(tag - file) : 0;
	char *end = NULL;
	long pid;

	if (file[0] != '.' || !tag || len < 2)
		return 0;
	if (name && (strlen(name) != len - 1 || memcmp(file + 1, name, len - 1)))
		return 0;
	pid = strtol(tag + 5, &end, 10);
	return *end || pid <= 0 || pid > INT_MAX ? 0 : (int)pid;
}

int nd_tmp_sweep(int dirfd, const char *name)
{
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;
	int n = 0, r = nd_dir_stream(dirfd, ".", &d);

	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(d))) {
		int pid = tmp_writer(de->d_name, name);

		/* kill(pid, 0): ESRCH means no such process (EPERM: alive, not ours). */
		if (!pid || (!name && (kill(pid, 0) == 0 || errno != ESRCH)))
			continue;
		if (unlinkat(dirfd, de->d_name, 0) == 0)
			n++;
	}
	return n;
}
