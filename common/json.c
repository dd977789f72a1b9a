// SPDX-License-Identifier: MIT
/* Go-compatible field lookup: exact name first, then ASCII case-insensitive. */
#include "json.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

const cJSON *nd_json_get(const cJSON *obj, const char *key)
{
	const cJSON *v, *folded = NULL;

	if (!cJSON_IsObject(obj) || !key)
		return NULL;
	cJSON_ArrayForEach(v, obj)
	{
		if (!v->string)
			continue;
		if (!strcmp(v->string, key))
			return cJSON_IsNull(v) ? NULL : v;
		if (!folded && !strcasecmp(v->string, key))
			folded = v;
	}
	return cJSON_IsNull(folded) ? NULL : folded;
}
