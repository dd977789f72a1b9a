/* SPDX-License-Identifier: MIT */
/* netdock network …: the command's shared context, conflist model and helpers. */
#ifndef NETDOCK_CLI_H
#define NETDOCK_CLI_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cleanup.h"
#include "ip.h"
#include "strv.h"

/* Docker's exit codes: 1 for a refused request, 125 for a command line it cannot parse. */
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 125

#define CLI_CONF_DIR_DEFAULT "/etc/cni/net.d"
#define CLI_CNI_PATH_DEFAULT "/opt/cni/bin:/usr/lib/cni" /* netdock's, then Debian's plugins */
#define CLI_CACHE_DIR_DEFAULT "/var/lib/cni"
#define CLI_ID_LEN 64

/* Where things are: flags first, then the environment, then the defaults. */
struct cli {
	const char *conf_dir; /* --conf-dir, $NETDOCK_CNI_CONF_DIR */
	const char *cni_path; /* $CNI_PATH */
	const char *cache_dir; /* $NETDOCK_CNI_CACHE_DIR (libcni's CacheDir) */
	const char *run_dir; /* $NETDOCK_RUN_DIR */
	const char *cmd; /* "create", "ls", … for "See 'netdock network create --help'." */
};

/* One network: a conflist in the conf dir, as written by netdock or by anyone else. */
struct cli_net {
	char name[256];
	char id[CLI_ID_LEN + 1];
	char driver[64]; /* the first plugin's type */
	char file[PATH_MAX]; /* path of the conflist */
	char created[64]; /* RFC 3339, from netdock's metadata or the file's mtime */
	bool ours; /* written by netdock network create */
	cJSON *json; /* the whole conflist */
};

/* buf.c: a growable NUL-terminated string; after a failed allocation oom is set and it stops growing. */
struct cli_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void cli_buf_put(struct cli_buf *b, const char *s, size_t n);
void cli_buf_puts(struct cli_buf *b, const char *s);
void cli_buf_printf(struct cli_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "Error: <msg>" on stderr and returns CLI_EXIT_FAIL. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A command-line error: the message, "See 'netdock network <cmd> --help'.", exit 125. */
int cli_usage_fail(const struct cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "\"netdock network <cmd>\" requires …" with the usage line, exit 1 (as Docker). */
int cli_args_fail(const struct cli *c, const char *need);

/* help.c: prints the help of cmd ("" for netdock network) on stdout. */
void cli_help(const char *cmd);
const char *cli_usage_line(const char *cmd);

/* conflist.c */
void cli_net_clear(struct cli_net *n);
/* Loads every conflist of the conf dir (sorted by name); *ret is an array to free with cli_nets_free. */
int cli_nets_load(const struct cli *c, struct cli_net **ret, size_t *ret_n);
void cli_nets_free(struct cli_net *v, size_t n);
/* Docker's lookup: exact name, then full ID, then a unique ID prefix. NULL when none. */
struct cli_net *cli_net_find(struct cli_net *v, size_t n, const char *ref);
/* Writes name.conflist into the conf dir atomically (temp file, fsync, rename). */
int cli_conflist_write(const struct cli *c, const char *name, const cJSON *list);
/* The ipam object of the first plugin, NULL when none. */
const cJSON *cli_net_ipam(const struct cli_net *n);
const cJSON *cli_net_plugin(const struct cli_net *n, size_t i);
/* Hex of SHA-256(text) into out (65 bytes): Podman's network IDs. */
void cli_sha256_hex(const char *text, char *out);

/* create.c, ls.c, inspect.c, attach.c, rm.c: one verb each; return the exit code. */
int cli_create(struct cli *c, int argc, char **argv);
int cli_ls(struct cli *c, int argc, char **argv);
int cli_inspect(struct cli *c, int argc, char **argv);
int cli_connect(struct cli *c, int argc, char **argv);
int cli_disconnect(struct cli *c, int argc, char **argv);
int cli_rm(struct cli *c, int argc, char **argv);
int cli_prune(struct cli *c, int argc, char **argv);

/* subnet.c: registers name's subnets in ipam-subnet's registry; fills in an automatic IPv4 one. */
int cli_subnets_register(const char *name, cJSON *subnets, bool want_v4, char *err, size_t errlen);
/* Forgets name's subnets and removes its IPAM store, which must hold no lease. */
int cli_subnets_unregister(const char *name);

/* inspect.c: Docker's network object for n (caller frees). */
cJSON *cli_inspect_object(const struct cli *c, const struct cli_net *n);

/* endpoints.c: the attachments of a network, from the run dir, as Docker's Containers map. */
cJSON *cli_endpoints(const struct cli *c, const char *net);
/* Number of endpoints of net in the run dir. */
int cli_endpoints_count(const struct cli *c, const char *net);

/* jsonout.c: Go's encoding/json output (MarshalIndent with 4 spaces, or compact). */
char *cli_json_print(const cJSON *v, bool indent);
/* Orders an object's members by key, as Go prints a map. */
int cli_json_sort(cJSON *obj);

/* template.c: the subset of Go's text/template that scripts use with --format. */
int cli_template_run(const char *tmpl, const cJSON *dot, char **ret, char *err, size_t errlen);

/* exec.c: runs one CNI plugin from CNI_PATH; stdout into *ret_out (caller frees). */
int cli_plugin_exec(const struct cli *c, const char *type, const char *const *env,
		    const char *stdin_text, char **ret_out);

#endif
