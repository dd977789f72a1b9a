// SPDX-License-Identifier: MIT
/* The template functions Docker's --format users reach for: json, index, len, join, upper, lower, not, eq, ne, println. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool tpl_truth(const cJSON *v)
{
	if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return false;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	return true;
}

/* Collects up to max operands until the end of the command. */
static int args(struct tpl *t, char **s, cJSON **v, size_t max, size_t *n)
{
	*n = 0;
	for (;;) {
		while (isspace((unsigned char)**s))
			(*s)++;
		if (!**s || **s == ')')
			return 0;
		if (*n == max)
			return -E2BIG;
		if (tpl_operand(t, s, &v[*n]) < 0)
			return -EINVAL;
		(*n)++;
	}
}

static cJSON *to_string(const cJSON *v, bool upper)
{
	struct cli_buf o = { 0 };
	cJSON *s;

	tpl_print_value(&o, v);
	for (char *p = o.p; p && *p; p++)
		*p = (char)(upper ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
	s = cJSON_CreateString(o.p ? o.p : "");
	free(o.p);
	return s;
}

static cJSON *index_of(const cJSON *base, cJSON **keys, size_t n)
{
	const cJSON *v = base;

	for (size_t i = 0; v && i < n; i++)
		v = cJSON_IsNumber(keys[i]) ?
			    cJSON_GetArrayItem(v, (int)keys[i]->valuedouble) :
		    cJSON_IsString(keys[i]) ?
			    cJSON_GetObjectItemCaseSensitive(v, keys[i]->valuestring) :
			    NULL;
	return v ? cJSON_Duplicate(v, true) : cJSON_CreateNull();
}

static cJSON *join(const cJSON *list, const cJSON *sep)
{
	struct cli_buf o = { 0 };
	const cJSON *it;
	cJSON *s;

	cJSON_ArrayForEach(it, list)
	{
		tpl_print_value(&o, it);
		if (it->next)
			cli_buf_puts(&o, sep->valuestring);
	}
	s = cJSON_CreateString(o.p ? o.p : "");
	free(o.p);
	return s;
}

static bool equal(const cJSON *a, const cJSON *b)
{
	return cJSON_Compare(a, b, true);
}

static cJSON *call(const char *f, cJSON **v, size_t n)
{
	if (!strcmp(f, "json") && n == 1) {
		_cleanup_(freep) char *text = cli_json_print(v[0], false);

		return text ? cJSON_CreateString(text) : NULL;
	}
	if (!strcmp(f, "index") && n >= 1)
		return index_of(v[0], v + 1, n - 1);
	if (!strcmp(f, "len") && n == 1)
		return cJSON_CreateNumber(cJSON_IsString(v[0]) ? (double)strlen(v[0]->valuestring) :
								 cJSON_GetArraySize(v[0]));
	if (!strcmp(f, "join") && n == 2 && cJSON_IsString(v[1]))
		return join(v[0], v[1]);
	if ((!strcmp(f, "upper") || !strcmp(f, "lower")) && n == 1)
		return to_string(v[0], f[0] == 'u');
	if (!strcmp(f, "not") && n == 1)
		return cJSON_CreateBool(!tpl_truth(v[0]));
	if ((!strcmp(f, "eq") || !strcmp(f, "ne")) && n == 2)
		return cJSON_CreateBool(equal(v[0], v[1]) == (f[0] == 'e'));
	if (!strcmp(f, "println")) {
		struct cli_buf o = { 0 };
		cJSON *s;

		for (size_t i = 0; i < n; i++) {
			tpl_print_value(&o, v[i]);
			cli_buf_puts(&o, i + 1 < n ? " " : "");
		}
		cli_buf_puts(&o, "\n");
		s = cJSON_CreateString(o.p ? o.p : "");
		free(o.p);
		return s;
	}
	return NULL;
}

int tpl_call(struct tpl *t, const char *name, size_t n, char **s, cJSON **ret)
{
	static const char *const known[] = { "json",  "index", "len", "join", "upper",
					     "lower", "not",   "eq",  "ne",   "println" };
	cJSON *v[8] = { NULL };
	char f[16];
	size_t n_args = 0;
	bool found = false;
	int r;

	snprintf(f, sizeof(f), "%.*s", (int)n, name);
	for (size_t i = 0; i < ND_ARRAY_SIZE(known); i++)
		found = found || !strcmp(f, known[i]);
	if (!found)
		return tpl_fail(t, "function \"%s\" not defined", f);
	r = args(t, s, v, ND_ARRAY_SIZE(v), &n_args);
	*ret = r < 0 ? NULL : call(f, v, n_args);
	for (size_t i = 0; i < n_args; i++)
		cJSON_Delete(v[i]);
	if (r < 0 || !*ret)
		return r == -EINVAL ? r : tpl_fail(t, "wrong number or type of args for %s", f);
	return 0;
}
