/* SPDX-License-Identifier: MIT */
/* Field lookup in a JSON object the way the runtimes' Go decoders match struct fields. */
#ifndef ND_JSON_H
#define ND_JSON_H

#include <cjson/cJSON.h>

/*
 * The member of obj named key, or NULL (also when obj is not an object or
 * the member is JSON null). An exact match wins; otherwise the first member
 * whose name equals key ignoring ASCII case, as Go's encoding/json matches
 * struct fields: containerd sends {"HostPort":8080,"ContainerPort":80}.
 * Only for fields of a fixed schema; map keys (options, aliases per network,
 * auxAddresses) are data and stay exact.
 */
const cJSON *nd_json_get(const cJSON *obj, const char *key);

#endif
