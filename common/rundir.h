/* SPDX-License-Identifier: MIT */
/* Names that become paths, directories opened by fd, atomic file replacement. */
#ifndef ND_RUNDIR_H
#define ND_RUNDIR_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>

#include "cni.h"

#define ND_RUN_DIR_DEFAULT "/run/netdock"
#define ND_LIB_DIR_DEFAULT "/var/lib/netdock"
/* Longest name that may become one path component ("<name>.json" and friends fit). */
#define ND_NAME_MAX 200

/*
 * A network or container name is safe as a path component: 1..ND_NAME_MAX
 * characters from [A-Za-z0-9_.-], not starting with '.' or '-'.
 */
bool nd_name_valid(const char *name);

/* Run dir: config key "runDir", else $NETDOCK_RUN_DIR, else /run/netdock. */
const char *nd_run_dir_path(const struct cni_ctx *ctx);
/* Lib dir: the given config value, else $NETDOCK_LIB_DIR, else /var/lib/netdock. */
const char *nd_lib_dir_path(const char *configured);

/* Longest run or lib dir accepted from a config (its files' paths must still fit PATH_MAX). */
#define ND_DIR_PATH_MAX 1024

/*
 * Reads a directory from the config (runDir, ipam.dataDir) as nd_conf_string
 * does, and refuses (code 7, named) one that is not an absolute path of at
 * most ND_DIR_PATH_MAX bytes: a relative one would land beside the caller.
 */
int nd_dir_conf(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		const char **ret);

/* mkdir -p path (mode 0755). Returns 0 or -errno. */
int nd_mkdir_p(const char *path);
/* Opens (creating with mkdir -p when create) a directory; returns an O_PATH-less dir fd or -errno. */
int nd_dir_open(const char *path, bool create);
/* A directory stream over dirfd/name ("." for dirfd itself); dirfd stays open. */
int nd_dir_stream(int dirfd, const char *name, DIR **ret);
/*
 * The first subdirectory d of dirfd (a valid name) that holds d/child, copied
 * into ret[ND_NAME_MAX + 1]: 0, or -ENOENT. For a DEL whose network name is
 * unusable: the attachment's own files say which network it was on.
 */
int nd_subdir_find(int dirfd, const char *child, char *ret);

/* Opens dirfd/name as a directory, creating it when create. Returns fd or -errno. */
int nd_subdir_open(int dirfd, const char *name, bool create);

/*
 * Replaces dirfd/name with data: writes "<name>.tmp.<pid>", fsyncs, renames.
 * A reader sees the old file or the new one, never a part. Returns 0 or -errno.
 */
int nd_file_write_atomic(int dirfd, const char *name, const void *data, size_t len);

/*
 * As nd_file_write_atomic without the fsync: a reader still sees the old file
 * or the new one, but a power loss may lose the change. For state that a
 * later call can rebuild (IPAM intent records, lease contents).
 */
int nd_file_replace(int dirfd, const char *name, const void *data, size_t len);

/*
 * As nd_file_replace, but an identical file is left alone: no new inode, and
 * no rename for the run dir's inotify watchers to act on. Returns 0 or -errno.
 */
int nd_file_update(int dirfd, const char *name, const void *data, size_t len);

/* Reads dirfd/name whole (at most max bytes) into a new NUL-terminated buffer. */
int nd_file_read(int dirfd, const char *name, size_t max, char **ret, size_t *ret_len);

/* Removes dirfd/name; a missing file is success. */
int nd_file_remove(int dirfd, const char *name);

/*
 * Removes the temporary files (".<name>.tmp.<pid>") that a writer killed
 * between write and rename left in dirfd: with name, those of name whoever
 * wrote them (DEL of their owner); with NULL, every one whose writer is no
 * longer alive (GC). Returns how many went, or -errno.
 */
int nd_tmp_sweep(int dirfd, const char *name);

#endif
