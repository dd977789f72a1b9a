/* SPDX-License-Identifier: MIT */
/* Typed reads from a cJSON config; every error names the JSON path (CNI code 7). */
#ifndef ND_CONF_H
#define ND_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "cni.h"
#include "ip.h"
#include "json.h"
#include "strv.h"

/*
 * Each getter leaves *ret untouched when the key is absent or JSON null and
 * returns 0; on a value of the wrong type or range it records a CNI error 7
 * naming "<path>.<key>" and returns -EINVAL. path may be "" for the root.
 * Keys match as Go's encoding/json matches them (nd_json_get). For typed
 * values (address, prefix, number, bool) an empty string is absent too:
 * runtimes write Go's zero value for "unset" (containerd's "HostIP":"").
 */

/* Borrowed string (valid while the tree lives). */
int nd_conf_string(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   const char **ret);
/* Copied string; longer than size-1 is an error. */
int nd_conf_string_buf(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		       char *buf, size_t size);
/* JSON bool, or a Docker option string "true"/"false"/"1"/"0". */
int nd_conf_bool(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 bool *ret);
/* Integer in [min, max], as a JSON number or a decimal string (Docker options). */
int nd_conf_uint(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 unsigned min, unsigned max, unsigned *ret);
int nd_conf_addr(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 struct nd_addr *ret);
/* "addr/len"; network_only refuses host bits (a subnet, not an interface address). */
int nd_conf_prefix(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   bool network_only, struct nd_prefix *ret);
int nd_conf_object(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		   const cJSON **ret);
int nd_conf_array(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		  const cJSON **ret);
/* Array of strings appended to ret (duplicates dropped). */
int nd_conf_strv(struct cni_ctx *ctx, const cJSON *obj, const char *path, const char *key,
		 struct nd_strv *ret);

/*
 * Refuses a key that is not in known (NULL-terminated) but within two edits
 * of one of them: a typo ("subnte") that would otherwise be silently ignored.
 * Other unknown keys pass, so configs written for other tools keep working.
 */
int nd_conf_check_keys(struct cni_ctx *ctx, const cJSON *obj, const char *path,
		       const char *const *known);

/* Edit distance, capped at limit+1 (used for typo suggestions). */
unsigned nd_edit_distance(const char *a, const char *b, unsigned limit);

#endif
